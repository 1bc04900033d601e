/**
 * An Erlang node's distribution settings as the container gives them (mirrors policies/lib/erlang.rego):
 * the VM's flags in the order it reads them (orderedFlagText), the files mounted at a path (volumes,
 * projected volumes, items, subPath), the kernel settings of a mounted sys.config and the ssl_dist options file.
 */
import type { K8sObject } from "../types.js";
import { configMapTexts, type EnvSource } from "./env.js";
import { lastByIdentity } from "./identity.js";
import { allContainers, containerIsErlang, podSpec, refOf, type Container } from "./workloads.js";

const PROTO_DIST_TLS = /(^|\s)-proto_dist\s+["']?inet6?_tls/;
const OPTFILE_FLAG = /(?:^|\s)-ssl_dist_optfile\s+["']?([^\s"']+)/g;
const NAME_FLAG = /(?:^|\s)-s?name\s+["']?([^\s"']+)/g;
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

/**
 * Flags in the order the VM assembles its command line; where a `-kernel Par Val` is given twice the
 * later one wins. ERL_AFLAGS goes first, then ELIXIR_ERL_OPTIONS (the elixir script), a mounted vm.args
 * (the release script's `-args_file`, comments dropped), command and args, and ERL_FLAGS then ERL_ZFLAGS
 * last; each part cut at `-extra` (what follows are plain arguments). Mirrors `ordered_flag_text`.
 */
export function orderedFlagText(
  w: K8sObject,
  c: Container,
  env: ReadonlyMap<string, EnvSource>,
  texts: ConfigTexts,
  files: readonly string[],
): string {
  const ns = refOf(w).namespace;
  const fromEnv = (name: string): string[] => {
    const src = env.get(name);
    const text = src === undefined ? undefined : envSourceText(texts, ns, src);
    return text === undefined ? [] : [text];
  };
  const strings = (value: unknown) => list(value).filter((s): s is string => typeof s === "string");
  return [
    ...fromEnv("ERL_AFLAGS"),
    ...fromEnv("ELIXIR_ERL_OPTIONS"),
    ...mountedFlagTexts(w, c, texts, files).map(argsFileText),
    strings(c.command).join(" "),
    strings(c.args).join(" "),
    ...fromEnv("ERL_FLAGS"),
    ...fromEnv("ERL_ZFLAGS"),
  ]
    .map((t) => expandArgsFiles(w, c, t, texts).split(/(?:^|\s)-extra(?:\s|$)/)[0]!)
    .join(" ");
}

const ARGS_FILE_FLAG = /(?:^|\s)-args_file\s+["']?([^\s"']+)["']?/g;
const ARGS_FILE_SPLIT = /(?:^|\s)-args_file\s+["']?[^\s"']+["']?/;
const argsFileText = (text: string): string => text.split(/#[^\n]*/).join("\n");

/**
 * The text with each `-args_file Path` replaced by the file a ConfigMap mounts at Path (comments
 * dropped), as the VM reads it there; a path nothing mounts is dropped. Mirrors `expand_args_files`.
 */
function expandArgsFiles(w: K8sObject, c: Container, text: string, texts: ConfigTexts): string {
  const paths = captures(ARGS_FILE_FLAG, text);
  return text
    .split(ARGS_FILE_SPLIT)
    .map((piece, i) => [piece, ...(i < paths.length ? mountedConfigSet(w, c, paths[i]!, texts).map(argsFileText) : [])].join(" "))
    .join(" ");
}

/** The distinct texts mounted at `file`, in Rego's set order. */
const mountedConfigSet = (w: K8sObject, c: Container, file: string, texts: ConfigTexts): string[] =>
  [...new Set(mountedConfigTexts(w, c, file, texts))].sort();

const KERNEL_FLAG = /(?:^|\s)-kernel((?:\s+[^\s+-]\S*)+)/g;

/** The value (as written) the flags give the kernel parameter `par` (`-kernel Par Val Par Val ...`); the last one wins. */
export function kernelParam(flags: string, par: string): string | undefined {
  let value: string | undefined;
  for (const group of captures(KERNEL_FLAG, flags)) {
    const tokens = group.trim().split(/\s+/);
    for (let k = 0; k + 1 < tokens.length; k += 2) if (tokens[k] === par) value = tokens[k + 1]!.replace(/^["']+|["']+$/g, "");
  }
  return value;
}

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

/** The kernel parameter `par` as the VM sets it: a `-kernel` flag overrides the sys.config. Mirrors `kernel_setting`. */
const kernelSetting = (flags: string, config: string, par: string): string | undefined =>
  kernelParam(flags, par) ?? configKernelParam(config, par);

/**
 * The distribution listen range the VM listens on, from its flags and its sys.config text (`config`): an
 * integer `inet_dist_listen_min`, with `inet_dist_listen_max` defaulting to it. Undefined without a
 * positive integer min: the VM then listens on any free port. When max < min it listens on none.
 * Mirrors `dist_listen_range`.
 */
export function distListenRange(flags: string, config = ""): { min: number; max: number } | undefined {
  const min = erlangInteger(kernelSetting(flags, config, "inet_dist_listen_min") ?? "");
  if (min === undefined || min <= 0) return undefined;
  return { min, max: erlangInteger(kernelSetting(flags, config, "inet_dist_listen_max") ?? "") ?? min };
}

/** A distribution listen range, both ends included. */
export interface PortRange {
  min: number;
  max: number;
}

/**
 * The listen range container c pins: its flags (orderedFlagText) over its mounted sys.config, whose
 * kernel settings the flags override. Mirrors `container_listen_range`.
 */
export function containerListenRange(
  w: K8sObject,
  c: Container,
  env: ReadonlyMap<string, EnvSource>,
  texts: ConfigTexts,
): PortRange | undefined {
  const sysConfig = mountedFlagTexts(w, c, texts, ["sys.config"]).join("\n");
  return distListenRange(orderedFlagText(w, c, env, texts, VM_ARGS_FILES), sysConfig);
}

/**
 * The distribution listen range of each node container of w (an Erlang container, or any whose flags or
 * sys.config pin a range): the range it pins, else `fallback`. Mirrors `dist_ranges`.
 */
export function distRanges(
  w: K8sObject,
  env: (c: Container) => ReadonlyMap<string, EnvSource>,
  texts: ConfigTexts,
  fallback: PortRange,
): PortRange[] {
  const out: PortRange[] = [];
  for (const { container } of allContainers(w)) {
    const pinned = containerListenRange(w, container, env(container), texts);
    if (pinned || containerIsErlang(container)) out.push(pinned ?? fallback);
  }
  return out;
}

/** Whether the flags turn TLS distribution on (`-proto_dist inet_tls` or `inet6_tls`). */
export const tlsDist = (flags: string): boolean => PROTO_DIST_TLS.test(flags);

/** The paths `-ssl_dist_optfile` names in the flags. */
export const optfilePaths = (flags: string): string[] => [...new Set(captures(OPTFILE_FLAG, flags))];

/** The node names `-name` and `-sname` give in the flags. */
export const nameFlags = (flags: string): string[] => captures(NAME_FLAG, flags);

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

/** The text of every ssl_dist options file the flags name that a ConfigMap mounts, each once. Mirrors `optfile_texts`. */
export function optfileTexts(w: K8sObject, c: Container, flags: string, texts: ConfigTexts): string[] {
  return [...new Set(optfilePaths(flags).flatMap((file) => mountedConfigTexts(w, c, file, texts)))];
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
