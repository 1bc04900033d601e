/**
 * Which paths found under an input folder are not audited, and why: the default skip set (version
 * control metadata and node_modules/), the config's `exclude` patterns, the config and waiver files the
 * run uses, and files kubectl would not read (not .yaml, .yml or .json). See docs/inputs.md.
 */
import { realpathSync } from "node:fs";
import { basename, isAbsolute, relative, sep } from "node:path";
import { compileGlob } from "../config/glob.js";
import type { NotAuditedFile } from "../types.js";

/** Folders never walked: version-control metadata and installed packages. Everything else is read unless excluded. */
export const DEFAULT_SKIPPED_DIRS: ReadonlySet<string> = new Set([".git", ".hg", ".svn", "node_modules"]);

/** The extensions `kubectl apply -R -f` reads in a folder (case-sensitive, as kubectl compares them). */
export const MANIFEST_EXTENSIONS: readonly string[] = [".yaml", ".yml", ".json"];

/** The config's `exclude` patterns and the folder they are relative to (the config file's). */
export interface ExcludeOptions {
  base: string;
  patterns: readonly string[];
}

/** What decides whether a path found while walking an input folder is audited. */
export interface SkipRuleOptions {
  exclude?: ExcludeOptions;
  /** Absolute paths of the config and waiver files this run uses. */
  runConfigFiles?: readonly string[];
}

/** The reason a path is not audited, without its reported path; undefined when it is audited. */
export type SkipVerdict = Omit<NotAuditedFile, "path"> | undefined;

/** Decides, for one walk, which folders are not entered and which files are not read. */
export interface SkipRules {
  /** Why the folder at absolute `path` is not walked, if it is not. */
  folder(path: string): SkipVerdict;
  /** Why the file at absolute `path` is not audited, if it is not. */
  file(path: string): SkipVerdict;
  /** Whether `path` is a config or waiver file of this run. */
  isRunConfig(path: string): boolean;
}

interface CompiledPattern {
  pattern: string;
  folderOnly: boolean;
  matches: (relativePath: string) => boolean;
}

/**
 * Compiles one `exclude` pattern: matched against the path relative to the config folder, with `/`
 * separators. A trailing `/` matches folders only; a pattern without any other `/` matches a name at any
 * depth (as in .gitignore); a leading `/` or `./` anchors it and is dropped.
 */
function compilePattern(pattern: string): CompiledPattern {
  const folderOnly = pattern.endsWith("/");
  let body = pattern.replace(/\/+$/, "");
  const anchored = body.includes("/");
  body = body.replace(/^(\.\/|\/)+/, "");
  return { pattern, folderOnly, matches: compileGlob(anchored ? body : `**/${body}`, { paths: true }) };
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The skip rules of one run. */
export function skipRules(options: SkipRuleOptions = {}): SkipRules {
  const patterns = (options.exclude?.patterns ?? []).map(compilePattern);
  const base = options.exclude?.base;
  const runConfig = new Set((options.runConfigFiles ?? []).map(realpathOrSelf));
  const runConfigNames = new Set([...runConfig].map((p) => basename(p)));

  const excludedBy = (path: string, isFolder: boolean): string | undefined => {
    if (!base || !patterns.length) return undefined;
    const rel = relative(base, path);
    if (!rel || isAbsolute(rel) || rel === ".." || rel.startsWith(`..${sep}`)) return undefined;
    const posix = rel.split(sep).join("/");
    return patterns.find((p) => (isFolder || !p.folderOnly) && p.matches(posix))?.pattern;
  };
  const isRunConfig = (path: string) => runConfigNames.has(basename(path)) && runConfig.has(realpathOrSelf(path));

  return {
    folder(path) {
      if (DEFAULT_SKIPPED_DIRS.has(basename(path))) return { reason: "defaultSkip" };
      const pattern = excludedBy(path, true);
      return pattern ? { reason: "excluded", detail: pattern } : undefined;
    },
    file(path) {
      if (isRunConfig(path)) return { reason: "runConfig" };
      const pattern = excludedBy(path, false);
      if (pattern) return { reason: "excluded", detail: pattern };
      return MANIFEST_EXTENSIONS.some((ext) => path.endsWith(ext)) ? undefined : { reason: "notManifest" };
    },
    isRunConfig,
  };
}

/** Sorts not-audited entries by path (code-point order, independent of the locale), then by reason. */
export function sortNotAudited(list: readonly NotAuditedFile[]): NotAuditedFile[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...list].sort((a, b) => cmp(a.path, b.path) || cmp(a.reason, b.reason));
}
