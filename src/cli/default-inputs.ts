/**
 * What `erlmcp-audit` audits when no path is given: the config's `inputs`, or nothing — the whole
 * folder would make package.json, CI files and test fixtures inputs, so the user is asked for a path.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { UsageError } from "../errors.js";
import { findConfigFile, loadConfig } from "../config/load.js";
import { discover, KUSTOMIZATION_FILES } from "../loaders/discover.js";

/** The paths to audit and the config file they came from. */
export interface DefaultInputs {
  paths: string[];
  /** The config whose `inputs` named them. */
  configFile: string;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/**
 * The unit an `inputs` path belongs to: a values file or a template names its chart, a file of a
 * kustomization folder names the kustomization; folders and other files are audited as given.
 */
function unitPathOf(path: string, configDir: string): string {
  if (!existsSync(path) || isDir(path)) return path;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Chart.yaml"))) return dir;
    if (dir === configDir || dir === dirname(dir) || !dir.startsWith(configDir + sep)) break;
  }
  return KUSTOMIZATION_FILES.some((f) => existsSync(join(dirname(path), f))) ? dirname(path) : path;
}

/** Each path once, without those inside another (a folder audits what it holds). */
function outermost(paths: string[]): string[] {
  const unique = [...new Set(paths)].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && p.startsWith(q + sep)));
}

/** `erlmcp-audit manifests/`: the top-level folders that hold charts, kustomizations or manifests, else `manifests/`. */
function suggestion(cwd: string, unitPaths: readonly string[]): string {
  const top = (p: string) => (/[\\/]/.test(p) ? p.split(/[\\/]/)[0]! : p);
  const folders = [...new Set(unitPaths.map(top))].filter((s) => s && !s.startsWith(".") && isDir(join(cwd, s)));
  return `erlmcp-audit ${(folders.length ? folders.slice(0, 3) : ["manifests"]).map((f) => `${f}/`).join(" ")}`;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** What auditing `cwd` as a whole would read, as one sentence. */
function wouldRead(cwd: string): { sentence: string; unitPaths: string[] } {
  const found = discover(["."], { cwd });
  const files = found.units.flatMap((u) => (u.kind === "files" ? u.files.map((f) => relative(cwd, f)) : []));
  const charts = found.units.filter((u) => u.kind === "helm").length;
  const overlays = found.units.filter((u) => u.kind === "kustomize").length;
  const shown = files.slice(0, 5).join(", ") + (files.length > 5 ? `, … (${files.length - 5} more)` : "");
  const parts = [
    ...(files.length ? [`${count(files.length, "file")} as manifests (${shown})`] : []),
    ...(charts ? [count(charts, "Helm chart")] : []),
    ...(overlays ? [count(overlays, "kustomization")] : []),
  ];
  return {
    sentence: parts.length ? `auditing ${cwd} as a whole would read ${parts.join(", ")}` : `${cwd} holds no manifests`,
    unitPaths: [...files, ...found.units.filter((u) => u.kind !== "files").map((u) => u.path)],
  };
}

/**
 * The paths to audit when none is given: the config's `inputs` (a values file stands for its chart),
 * relative to `cwd`. Without a config that lists `inputs`, a usage error that says what the whole
 * folder would read and how to name a path.
 */
export function defaultInputs(config: string | false | undefined, cwd: string): DefaultInputs {
  const configFile = config === false ? undefined : config ? resolve(cwd, config) : findConfigFile([], cwd);
  if (configFile) {
    const configDir = dirname(configFile);
    const entries = loadConfig(configFile, cwd).config.inputs ?? [];
    const paths = outermost(entries.flatMap((e) => e.paths.map((p) => unitPathOf(resolve(configDir, p), configDir))));
    if (paths.length) return { configFile, paths: paths.map((p) => (isAbsolute(p) ? relative(cwd, p) || "." : p)) };
  }
  const { sentence, unitPaths } = wouldRead(cwd);
  const why = configFile ? `the config ${relative(cwd, configFile) || configFile} lists no \`inputs\`` : "no config file was found";
  throw new UsageError(
    `no path given, and ${why}: ${sentence}.\n` +
      `Name what to audit, e.g. \`${suggestion(cwd, unitPaths)}\` (\`erlmcp-audit .\` for the whole folder), ` +
      "or list the paths in the config's `inputs`.",
  );
}

/**
 * The paths named, or without any the config's `inputs` (announced on stderr unless --quiet); the
 * config is then the one that named them.
 */
export function pathsToAudit(
  given: string[],
  opts: { config?: string | false; quiet?: boolean },
  io: { stderr: (s: string) => void },
): { paths: string[]; config: string | false | undefined } {
  if (given.length) return { paths: given, config: opts.config };
  const inputs = defaultInputs(opts.config, process.cwd());
  if (!opts.quiet) io.stderr(`erlmcp-audit: no path given: auditing the \`inputs\` of ${inputs.configFile}: ${inputs.paths.join(" ")}\n`);
  return { paths: inputs.paths, config: inputs.configFile };
}
