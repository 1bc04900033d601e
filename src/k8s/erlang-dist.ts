/**
 * An Erlang node's distribution settings as the container gives them (mirrors policies/lib/erlang.rego):
 * the VM's init flags in the order it reads them (flagReadings), the files mounted at a path (volumes,
 * projected volumes, items, subPath), the kernel settings of a mounted sys.config and the ssl_dist options file.
 */
import type { K8sObject } from "../types.js";
import { configMapTexts, type EnvSource } from "./env.js";
import { lastByIdentity } from "./identity.js";
import { allContainers, containerIsErlang, podSpec, refOf, type Container } from "./workloads.js";

const SECTION = /\{\s*(server|client)\s*,/g;
const SECTION_SPLIT = /\{\s*(?:server|client)\s*,/;

/** The names of the files (key suffixes) of a mounted ConfigMap the release reads as VM flags. */
export const VM_ARGS_FILES: readonly string[] = ["vm.args", "vm.args.src"];

/** The text of every ConfigMap of a set, by `namespace/name` then key (binaryData decoded). */
export type ConfigTexts = ReadonlyMap<string, ReadonlyMap<string, string>>;

type Obj = Record<string, any>;

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
const isObj = (value: unknown): value is Obj => value !== null && typeof value === "object" && !Array.isArray(value);
const captures = (re: RegExp, text: string): string[] => [...text.matchAll(re)].map((m) => m[1]!);
const textOf = (texts: ConfigTexts, ns: string, name: unknown, key: unknown) => texts.get(`${ns}/${String(name)}`)?.get(String(key));

/** The text of every ConfigMap among `objects` (of two of one identity, the last). Mirrors `set_index(...).texts`. */
export function configTextsOf(objects: readonly K8sObject[]): ConfigTexts {
  const out = new Map<string, Map<string, string>>();
  for (const object of lastByIdentity(objects))
    if (object.kind === "ConfigMap") out.set(`${refOf(object).namespace}/${refOf(object).name}`, new Map(configMapTexts(object)));
  return out;
}

/** The text of a winning source: a literal value, or a ConfigMap key; undefined otherwise. Mirrors `env_text`. */
export function envSourceText(texts: ConfigTexts, ns: string, src: EnvSource): string | undefined {
  if (src.from === "envFrom") return src.kind === "configMap" ? textOf(texts, ns, src.name, src.key) : undefined;
  if (typeof src.entry.value === "string") return src.entry.value;
  const ref = src.entry.valueFrom?.configMapKeyRef;
  return isObj(ref) ? textOf(texts, ns, ref.name, ref.key) : undefined;
}

// Keys in the order Rego iterates an object's keys.
const byKey = ([a]: [string, string], [b]: [string, string]): number => (a < b ? -1 : a > b ? 1 : 0);

/** The text of every mounted ConfigMap key whose name ends with one of `files`. Mirrors `mounted_flag_texts`. */
export function mountedFlagTexts(w: K8sObject, c: Container, texts: ConfigTexts, files: readonly string[]): string[] {
  const ns = refOf(w).namespace;
  const mounted: string[] = [];
  for (const m of list(c.volumeMounts))
    for (const vol of list(podSpec(w).volumes)) {
      if (!isObj(vol) || !isObj(m) || vol.name !== m.name) continue;
      for (const cm of volumeSources(vol, "configMap"))
        for (const [key, text] of [...(texts.get(`${ns}/${String(cm.name)}`) ?? [])].sort(byKey))
          if (keyMounted(cm, key) && files.some((suffix) => key.endsWith(suffix))) mounted.push(text);
    }
  return mounted;
}

/** An args file's text without its `#` comments (to the end of the line). */
const argsFileText = (text: string): string => text.split(/#[^\n]*/).join("\n");

/** The distinct texts mounted at `file`, in Rego's set order. */
const mountedConfigSet = (w: K8sObject, c: Container, file: string, texts: ConfigTexts): string[] =>
  [...new Set(mountedConfigTexts(w, c, file, texts))].sort();

/** The value of an Erlang integer literal: `9100`, `9_100` or `Base#Digits` (`16#238C`); undefined for any other term. */
export function erlangInteger(text: string): number | undefined {
  if (/^[0-9]+(_[0-9]+)*$/.test(text)) return Number(text.replaceAll("_", ""));
  if (!/^[0-9]+#[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/.test(text)) return undefined;
  const [base, digits] = text.replaceAll("_", "").split("#") as [string, string];
  const b = Number(base);
  if (b < 2 || b > 36) return undefined;
  let n = 0;
  for (const ch of digits.toLowerCase()) {
    const d = "0123456789abcdefghijklmnopqrstuvwxyz".indexOf(ch);
    if (d >= b) return undefined;
    n = n * b + d;
  }
  return n;
}

/**
 * The value (as written) a sys.config text gives the kernel parameter `par` (`{Par, Val}` in the
 * `{kernel, [...]}` list), Erlang comments dropped; the last one wins. Mirrors `config_kernel_param`.
 */
export function configKernelParam(config: string, par: string): string | undefined {
  const clean = config.split(/%[^\n]*/).join("\n");
  const pattern = new RegExp(`\\{\\s*'?${par}'?\\s*,\\s*([^\\s,{}\\[\\]]+)\\s*\\}`, "g");
  return captures(pattern, clean).at(-1);
}

/** A distribution listen range, both ends included. */
export interface PortRange {
  min: number;
  max: number;
}

/**
 * Every value one reading of the init flags (`tokens`) gives the kernel parameter `par` (`-kernel Par Val
 * Par Val ...`, each occurrence of -kernel), in order. Which one the VM takes is not one rule: OTP 25 takes
 * the first occurrence's unless a sys.config sets the parameter too, then the last one's (checked with erl
 * 25.2.3); within one occurrence the last pair. Read fail-safe: each value is one the VM may take, so no
 * port it may listen on goes unchecked. Mirrors `kernel_param_values`.
 */
export function kernelParamValues(tokens: readonly string[], par: string): string[] {
  const out: string[] = [];
  for (const values of flagValues(tokens, "kernel"))
    for (let k = 0; k + 1 < values.length; k += 2) if (values[k] === par) out.push(values[k + 1]!);
  return out;
}

/** The values the VM may give kernel parameter `par`: those of the flags, which override the sys.config's, else the sys.config's. */
function kernelSettings(tokens: readonly string[], config: string, par: string): string[] {
  const given = kernelParamValues(tokens, par);
  if (given.length > 0) return given;
  const configured = configKernelParam(config, par);
  return configured === undefined ? [] : [configured];
}

/**
 * The distribution listen ranges the VM may take from one reading of its flags (`tokens`) over its
 * sys.config text (`config`): each integer `inet_dist_listen_min` it may take with each
 * `inet_dist_listen_max` (defaulting to the min). undefined for a min that is no positive integer, or none:
 * the VM then listens on any free port. When max < min it listens on none. Mirrors `dist_listen_ranges`.
 */
export function distListenRanges(tokens: readonly string[], config = ""): Array<PortRange | undefined> {
  const maxes = kernelSettings(tokens, config, "inet_dist_listen_max");
  const mins = kernelSettings(tokens, config, "inet_dist_listen_min");
  if (mins.length === 0) return [undefined];
  return mins.flatMap((text) => {
    const min = erlangInteger(text);
    if (min === undefined || min <= 0) return [undefined];
    return maxes.length === 0 ? [{ min, max: min }] : maxes.map((max) => ({ min, max: erlangInteger(max) ?? min }));
  });
}

/**
 * The listen range of each reading of container c's init flags (flagReadings) over its mounted sys.config
 * (distListenRanges); undefined where one pins none. Mirrors `container_listen_ranges`.
 */
export function containerListenRanges(
  w: K8sObject,
  c: Container,
  env: ReadonlyMap<string, EnvSource>,
  texts: ConfigTexts,
): Array<PortRange | undefined> {
  const sysConfig = mountedFlagTexts(w, c, texts, ["sys.config"]).join("\n");
  return flagReadings(w, c, env, texts, VM_ARGS_FILES).flatMap((tokens) => distListenRanges(tokens, sysConfig));
}

/**
 * The distribution listen ranges of each node container of w (an Erlang container, or any whose flags or
 * sys.config pin a range in some reading): every range it may pin (containerListenRanges), `fallback` for
 * a reading that pins none. Mirrors `dist_ranges`.
 */
export function distRanges(
  w: K8sObject,
  env: (c: Container) => ReadonlyMap<string, EnvSource>,
  texts: ConfigTexts,
  fallback: PortRange,
): PortRange[] {
  const out: PortRange[] = [];
  for (const { container } of allContainers(w)) {
    const ranges = containerListenRanges(w, container, env(container), texts);
    if (containerIsErlang(container) || ranges.some((r) => r !== undefined)) out.push(...ranges.map((r) => r ?? fallback));
  }
  return out;
}

/** The configMap or secret sources of a volume, projected ones included, each with its object name under `name`. */
export function volumeSources(vol: unknown, kind: "configMap" | "secret"): Obj[] {
  if (!isObj(vol)) return [];
  if (isObj(vol.projected))
    return list(vol.projected.sources)
      .filter((s) => isObj(s?.[kind]))
      .map((s) => s[kind]);
  if (kind === "configMap") return isObj(vol.configMap) ? [vol.configMap] : [];
  return isObj(vol.secret) ? [{ ...vol.secret, name: vol.secret.secretName ?? "" }] : [];
}

/** Whether a key of a volume source is mounted (`items` absent: every key). Mirrors `key_mounted`. */
function keyMounted(src: Obj, key: string): boolean {
  if (src.items === undefined || src.items === null || src.items === false) return src.items !== null;
  return list(src.items).some((item) => item?.key === key);
}

/** The key a path inside the volume shows. Mirrors `key_at`. */
function keyAt(src: Obj, rel: string): string[] {
  if (src.items === undefined || src.items === false) return [rel];
  return list(src.items)
    .filter((item) => item?.path === rel)
    .map((item) => item.key);
}

/** The path inside the volume at which a mount shows `file`. Mirrors `path_in_volume`. */
function pathInVolume(m: Obj, file: string): string | undefined {
  const subPath = m.subPath ?? "";
  if (file === m.mountPath && subPath !== "") return subPath;
  const dir = `${String(m.mountPath).replace(/\/$/, "")}/`;
  if (!file.startsWith(dir)) return undefined;
  const rest = file.slice(dir.length);
  return subPath === "" ? rest : `${subPath}/${rest}`;
}

/** [source, key] of every ConfigMap or Secret key the container sees at `file`. Mirrors `mounted_file`. */
export function mountedFile(w: K8sObject, c: Container, file: string, kind: "configMap" | "secret"): Array<[Obj, string]> {
  const out: Array<[Obj, string]> = [];
  for (const m of list(c.volumeMounts)) {
    if (typeof m?.mountPath !== "string") continue;
    const rel = pathInVolume(m, file);
    if (rel === undefined) continue;
    for (const vol of list(podSpec(w).volumes))
      if (vol?.name === m.name) for (const src of volumeSources(vol, kind)) for (const key of keyAt(src, rel)) out.push([src, key]);
  }
  return out;
}

/** The text of every ConfigMap key the container sees at `file`. Mirrors `mounted_config_texts`. */
export function mountedConfigTexts(w: K8sObject, c: Container, file: string, texts: ConfigTexts): string[] {
  const ns = refOf(w).namespace;
  return mountedFile(w, c, file, "configMap").flatMap(([src, key]) => {
    const text = textOf(texts, ns, src.name, key);
    return text === undefined ? [] : [text];
  });
}

/** The text of every ssl_dist options file the VM reads (optfilePaths) that a ConfigMap mounts, each once. Mirrors `optfile_texts`. */
export function optfileTexts(w: K8sObject, c: Container, readings: FlagReadings, texts: ConfigTexts): string[] {
  return [...new Set(optfilePaths(readings).flatMap((file) => mountedConfigTexts(w, c, file, texts)))];
}

/**
 * The options of one side of an ssl_dist file, Erlang comments (`%` to the end of the line) removed and
 * every {server, ...} or {client, ...} section of that side joined. Mirrors `section_text`.
 */
export function sslDistSection(text: string, side: "server" | "client"): string {
  const clean = text.split(/%[^\n]*/).join("\n");
  const sides = [...clean.matchAll(SECTION)].map((m) => m[1]);
  const parts = clean.split(SECTION_SPLIT);
  return sides
    .map((s, i) => [s, parts[i + 1] ?? ""] as const)
    .filter(([s]) => s === side)
    .map(([, part]) => part)
    .join("\n");
}

// --- The init flags the VM starts with -------------------------------------------------------------

/**
 * A string split into words as erlexec splits an environment variable's value or an args file: on spaces
 * (only), a `"..."` or `'...'` part and a backslash-escaped character kept inside a word, the quotes and the
 * backslash dropped. Mirrors `words`.
 */
export function erlWords(text: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === " ") {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else if (ch === '"' || ch === "'") {
      const end = text.indexOf(ch, i + 1);
      word = (word ?? "") + text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    } else if (ch === "\\") {
      word = (word ?? "") + (text[i + 1] ?? "");
      i++;
    } else word = (word ?? "") + ch;
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** The whitespace erlexec (in an args file) and a shell (in a script) separate words by, each made a space. */
const spaced = (text: string): string => text.replace(/[\t\n\r\f\v]/g, " ");

/** The words of an args file (or a mounted vm.args): `#` comments dropped, line breaks and tabs separate words. Mirrors `args_file_words`. */
const argsFileWords = (text: string): string[] => erlWords(spaced(argsFileText(text)));

/** Words a shell splits a script or an unquoted expansion into (quotes honoured). Mirrors `shell_words`. */
const shellWords = (text: string): string[] => erlWords(spaced(text));

const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh", "ksh"]);
const SHELL_C = /^-[a-z]*c[a-z]*$/;

/**
 * The container's command line (command then args) in each way it may reach erlexec. Each element of
 * `command`/`args` is one argv element: exec'd directly, `["-proto_dist inet_tls"]` is one argument, not the
 * flag; a release script may re-split its arguments on whitespace (relx passes `$*` unquoted). Both are
 * read and a setting must hold in both. `sh -c SCRIPT` (bash, dash, ash, zsh, ksh; `-c` possibly combined
 * with other one-letter options) runs the script word-split by the shell; the elements after it are the
 * script's `$0 $1 ...`, which it may or may not pass on: read without them and with them. Mirrors
 * `command_line_readings`.
 */
export function commandLineReadings(c: Container): string[][] {
  const strings = (value: unknown) => list(value).filter((s): s is string => typeof s === "string");
  const argv = [...strings(c.command), ...strings(c.args)];
  if (argv.length > 2 && SHELLS.has(argv[0]!.split("/").at(-1)!) && SHELL_C.test(argv[1]!)) {
    const script = shellWords(argv[2]!);
    return [script, [...script, ...argv.slice(3).flatMap(shellWords)]];
  }
  return [argv, argv.flatMap(shellWords)];
}

/** The words before `-extra` (what follows are plain arguments). */
const beforeExtra = (words: readonly string[]): string[] =>
  words.includes("-extra") ? words.slice(0, words.indexOf("-extra")) : [...words];

/**
 * One part of the command line (an environment variable, a mounted vm.args, the argv) as erlexec passes it
 * on: cut at `-extra`, each `-args_file Path` replaced by the words of the file a ConfigMap mounts at Path
 * (cut at its own `-extra`, then `--`; a path nothing mounts is dropped), then `--`, which erlexec puts after
 * each part so that no flag takes values across parts. Mirrors `part_tokens`.
 */
function partTokens(w: K8sObject, c: Container, words: readonly string[], texts: ConfigTexts): string[] {
  const cut = beforeExtra(words);
  const out: string[] = [];
  for (let i = 0; i < cut.length; i++) {
    if (cut[i] === "-args_file" && i + 1 < cut.length) {
      for (const text of mountedConfigSet(w, c, cut[i + 1]!, texts)) out.push(...beforeExtra(argsFileWords(text)), "--");
      i++;
    } else out.push(cut[i]!);
  }
  return [...out, "--"];
}

/**
 * The words of ELIXIR_ERL_OPTIONS: the elixir script (and a release's, which runs it) expands it unquoted
 * on erl's command line, so the shell splits it on spaces, tabs and newlines and keeps quotes and
 * backslashes as they are (`-proto_dist "inet_tls"` passes the word `"inet_tls"`, quotes included).
 * A word holding `*`, `?` or `[` may further be replaced by file names the shell matches: not read.
 * Mirrors `shell_fields`.
 */
const shellFields = (text: string): string[] => text.split(/[ \t\n]+/).filter((w) => w !== "");

/** The ways erlexec releases split a flag variable's value: on spaces only (older), on any whitespace (newer). */
const ENV_SPLITS: ReadonlyArray<(text: string) => string[]> = [erlWords, (text) => erlWords(spaced(text))];

/**
 * `ERL_OTP<release>_FLAGS`: erlexec reads the variable of its own OTP release (`ERL_OTP27_FLAGS` on OTP 27)
 * before every other part of the command line: undocumented ("intended for OTP internal use only", erlexec.c),
 * yet read (OTP 25's erl sets kernel parameters from ERL_OTP25_FLAGS). Mirrors `release_flag_variables`.
 */
const RELEASE_FLAGS = /^ERL_OTP[0-9]+_FLAGS$/;

/** The release variables the container sets, by name. */
const releaseFlagVariables = (env: ReadonlyMap<string, EnvSource>): string[] => [...env.keys()].filter((n) => RELEASE_FLAGS.test(n)).sort();

/** The VM's init arguments, one token list per reading of the command line (commandLineReadings) and splitting of the variables; distinct. */
export type FlagReadings = readonly (readonly string[])[];

/**
 * The init arguments of container c in the order the VM reads them: ERL_OTP<release>_FLAGS, ERL_AFLAGS,
 * ELIXIR_ERL_OPTIONS, a mounted vm.args (the release script's `-args_file`), the command line (command then
 * args, one argv), ERL_FLAGS, ERL_ZFLAGS; each variable's winning value split as erlexec splits it
 * (ELIXIR_ERL_OPTIONS as the shell does, shellFields), each
 * part as partTokens gives it (erlexec cuts each part at its own `-extra` and reads on with the next part).
 * Older erlexec releases split a variable on spaces only, newer ones on any whitespace (OTP 25 reads a tab as
 * a separator): both are read, every variable of one reading split one way (one VM runs one erlexec). The
 * release variable is read once per variable the container sets (the VM's release may be any of them) and
 * once without one (or none of them). One token list per reading of the command line, splitting and release
 * variable, distinct. Mirrors `flag_readings`.
 */
export function flagReadings(
  w: K8sObject,
  c: Container,
  env: ReadonlyMap<string, EnvSource>,
  texts: ConfigTexts,
  files: readonly string[],
): FlagReadings {
  const ns = refOf(w).namespace;
  const envText = (name: string): string[] => {
    const src = env.get(name);
    const text = src === undefined ? undefined : envSourceText(texts, ns, src);
    return text === undefined ? [] : [text];
  };
  const vmArgs = mountedFlagTexts(w, c, texts, files).map(argsFileWords);
  const lines = commandLineReadings(c);
  // Which release variable the VM reads depends on its OTP release, which no manifest states: none, or any one.
  const releases = [undefined, ...releaseFlagVariables(env)];
  const readings = ENV_SPLITS.flatMap((split) => {
    const fromEnv = (name: string | undefined): string[][] => (name === undefined ? [] : envText(name).map(split));
    const after = [...fromEnv("ERL_FLAGS"), ...fromEnv("ERL_ZFLAGS")];
    return releases.flatMap((release) => {
      const elixir = envText("ELIXIR_ERL_OPTIONS").map(shellFields);
      const before = [...fromEnv(release), ...fromEnv("ERL_AFLAGS"), ...elixir, ...vmArgs];
      return lines.map((line) => [...before, line, ...after].flatMap((part) => partTokens(w, c, part, texts)));
    });
  });
  return [...new Map(readings.map((r) => [JSON.stringify(r), r])).values()];
}

/**
 * The values of every occurrence of the init flag `-name` in the tokens, in order: the tokens after it up to
 * the next one that starts with `-` or `+` (a flag, `--`, or an emulator flag erlexec takes). Mirrors `flag_values`.
 */
export function flagValues(tokens: readonly string[], name: string): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== `-${name}`) continue;
    const values: string[] = [];
    for (let j = i + 1; j < tokens.length && !/^[-+]/.test(tokens[j]!); j++) values.push(tokens[j]!);
    out.push(values);
  }
  return out;
}

/**
 * The distribution protocols the node starts a listener for: the values of `-proto_dist` when it occurs
 * exactly once on the whole command line (net_kernel and kernel read `init:get_argument(proto_dist)` only as
 * `{ok, [Protos]}`); otherwise, never given or given several times, plain `inet_tcp`. Mirrors `dist_protocols`.
 */
export function distProtocols(tokens: readonly string[]): string[] {
  const occurrences = flagValues(tokens, "proto_dist");
  return occurrences.length === 1 ? occurrences[0]! : ["inet_tcp"];
}

const TLS_PROTOCOLS = new Set(["inet_tls", "inet6_tls"]);

/** Whether every listener runs TLS: at least one protocol, each inet_tls or inet6_tls. Mirrors `tls_protocols`. */
export const tlsProtocols = (protocols: readonly string[]): boolean => protocols.length > 0 && protocols.every((p) => TLS_PROTOCOLS.has(p));

/** Whether the node runs its distribution over TLS only, in every reading of its command line. Mirrors `tls_dist`. */
export const tlsDist = (readings: FlagReadings): boolean => readings.every((tokens) => tlsProtocols(distProtocols(tokens)));

/**
 * Whether `-ssl_dist_optfile` is given in every reading. Given several times (or without a value) the
 * node's ssl_dist_sup refuses to start and the node does not boot, which leaks nothing. Mirrors `has_optfile`.
 */
export const hasOptfile = (readings: FlagReadings): boolean =>
  readings.every((tokens) => flagValues(tokens, "ssl_dist_optfile").length > 0);

/**
 * The ssl_dist options file the VM reads: ssl_dist_sup takes `-ssl_dist_optfile` only when it occurs once
 * (its values joined, as a file name); several occurrences stop the node from booting. Of every reading.
 * Mirrors `optfile_paths`.
 */
export function optfilePaths(readings: FlagReadings): string[] {
  const out = new Set<string>();
  for (const tokens of readings) {
    const occurrences = flagValues(tokens, "ssl_dist_optfile");
    if (occurrences.length === 1 && occurrences[0]!.length > 0) out.add(occurrences[0]!.join(""));
  }
  return [...out];
}

/**
 * The node name the flags give: erl_distribution takes the first `-sname` (the first occurrence, when it has
 * exactly one value), else the first `-name` likewise. Of every reading. Mirrors `name_flags`.
 */
export function nameFlags(readings: FlagReadings): string[] {
  const out = new Set<string>();
  for (const tokens of readings) {
    const name = ["sname", "name"].map((flag) => flagValues(tokens, flag)[0]).find((values) => values?.length === 1);
    if (name) out.add(name[0]!);
  }
  return [...out];
}
