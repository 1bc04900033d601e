/**
 * Turns the paths a user names into audit units: Helm charts (a unit per values file), Kustomize
 * overlays (a unit each; bases used by another overlay are not rendered alone) and plain YAML/JSON
 * files (one unit per named path).
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse } from "yaml";
import type { InputError, NotAuditedFile } from "../types.js";
import { inputError } from "./errors.js";
import { skipRules, type SkipRuleOptions, type SkipVerdict } from "./exclude.js";

export { MANIFEST_EXTENSIONS } from "./exclude.js";
export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export type PlannedUnit =
  | { kind: "files"; path: string; files: string[] }
  | { kind: "helm"; path: string; valuesFiles: string[] }
  | { kind: "kustomize"; path: string };

export interface DiscoveryResult {
  units: PlannedUnit[];
  errors: InputError[];
  /** Paths under the input folders that are not audited, with the reason (a skipped folder is one entry, ending in `/`). */
  notAudited: NotAuditedFile[];
}

export interface DiscoveryOptions extends SkipRuleOptions {
  cwd: string;
  /** Values files given by the user (`--values`); default: values.yaml plus each values-*.yaml. */
  values?: string[];
}

function kustomizationFile(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    try {
      if (statSync(join(dir, name)).isFile()) return join(dir, name);
    } catch {
      /* not this name */
    }
  }
  return undefined;
}

function isChart(dir: string): boolean {
  try {
    return statSync(join(dir, "Chart.yaml")).isFile();
  } catch {
    return false;
  }
}

function kustomizationRefs(dir: string): string[] {
  const file = kustomizationFile(dir);
  if (!file) return [];
  try {
    const k = parse(readFileSync(file, "utf8")) as Record<string, unknown> | null;
    return ["resources", "bases", "components"]
      .flatMap((key) => (Array.isArray(k?.[key]) ? (k[key] as unknown[]) : []))
      .filter((r): r is string => typeof r === "string" && !/^[a-z]+:\/\//.test(r) && !r.includes("?ref="))
      .map((r) => resolve(dir, r));
  } catch {
    return [];
  }
}

/** Local directories a kustomization builds on (resources, bases, components). */
export function kustomizationDependencies(dir: string): string[] {
  return kustomizationRefs(dir).filter(isDirectory);
}

/** Every local file a kustomization reads: its own kustomization file, its resource files, and those of its bases. */
export function kustomizationSourceFiles(dir: string, seen = new Set<string>()): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const own = kustomizationFile(dir);
  const refs = kustomizationRefs(dir);
  return [
    ...(own ? [own] : []),
    ...refs.filter((r) => !isDirectory(r) && exists(r)),
    ...refs.filter(isDirectory).flatMap((d) => kustomizationSourceFiles(d, seen)),
  ];
}

function chartValuesFiles(dir: string, requested: string[] | undefined, cwd: string): string[] {
  if (requested?.length) return requested.map((v) => resolve(cwd, v));
  const names = readdirSync(dir)
    .filter((f) => /^values-[A-Za-z0-9_.-]+\.ya?ml$/.test(f))
    .sort();
  return [join(dir, "values.yaml"), ...names.map((n) => join(dir, n))];
}

export function discover(paths: readonly string[], options: DiscoveryOptions): DiscoveryResult {
  const units: PlannedUnit[] = [];
  const errors: InputError[] = [];
  const kustomizations: string[] = [];
  const notAudited: NotAuditedFile[] = [];
  const rel = (p: string) => relative(options.cwd, p) || ".";
  const skip = skipRules(options);
  const notAuditedAt = (path: string, verdict: NonNullable<SkipVerdict>) => notAudited.push({ path, ...verdict });

  for (const input of paths) {
    const absolute = resolve(options.cwd, input);
    let stats: Stats;
    try {
      stats = statSync(absolute);
    } catch (error) {
      const loop = (error as NodeJS.ErrnoException).code === "ELOOP";
      errors.push(
        inputError(loop ? "SYMLINK_LOOP" : "NOT_FOUND", input, loop ? "symbolic link loop" : "no such file or directory", {
          hint: loop ? "fix the link" : "check the path",
        }),
      );
      continue;
    }
    if (stats.isFile()) {
      // A file named on the command line is read whatever its name, unless it is this run's config or a waiver file.
      if (skip.isRunConfig(absolute)) notAuditedAt(rel(absolute), { reason: "runConfig" });
      else units.push({ kind: "files", path: rel(absolute), files: [absolute] });
      continue;
    }
    if (!stats.isDirectory()) {
      errors.push(notRegular(input));
      continue;
    }
    const files: string[] = [];
    const seen = new Set<string>();
    const before = units.length + errors.length + kustomizations.length;
    const walk = (dir: string, insideKustomization = false): void => {
      let real: string;
      try {
        real = realpathSync(dir);
      } catch {
        errors.push(inputError("SYMLINK_LOOP", rel(dir), "cannot resolve directory (symbolic link loop?)", { hint: "fix the link" }));
        notAuditedAt(`${rel(dir)}/`, { reason: "unreadable", detail: "cannot resolve directory (symbolic link loop?)" });
        return;
      }
      if (seen.has(real)) {
        errors.push(
          inputError("SYMLINK_LOOP", rel(dir), "directory reached twice through symbolic links; skipped the second visit", {
            hint: "remove the link or exclude it from the audited paths",
          }),
        );
        return;
      }
      seen.add(real);
      if (isChart(dir)) {
        units.push({ kind: "helm", path: rel(dir), valuesFiles: chartValuesFiles(dir, options.values, options.cwd).map(rel) });
        return;
      }
      const isKustomization = kustomizationFile(dir) !== undefined;
      if (isKustomization) kustomizations.push(dir);
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
      } catch (error) {
        errors.push(
          inputError("UNREADABLE", rel(dir), `cannot read directory: ${(error as Error).message}`, { hint: "check its permissions" }),
        );
        notAuditedAt(`${rel(dir)}/`, { reason: "unreadable", detail: `cannot read directory: ${(error as Error).message}` });
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path))) {
          const skipped = skip.folder(path);
          if (skipped) notAuditedAt(`${rel(path)}/`, skipped);
          else walk(path, insideKustomization || isKustomization);
        } else if (isKustomization || insideKustomization) {
          // A kustomization's files belong to its build; only nested charts and kustomizations are units of their own.
          continue;
        } else {
          const skipped = skip.file(path);
          const dangling = entry.isSymbolicLink() && !exists(path);
          if (dangling && skipped?.reason === "notManifest") {
            errors.push(inputError("SYMLINK_LOOP", rel(path), "dangling or looping symbolic link", { hint: "fix or remove the link" }));
            notAuditedAt(rel(path), { reason: "unreadable", detail: "dangling or looping symbolic link" });
          } else if (skipped) notAuditedAt(rel(path), skipped);
          // A FIFO, socket or device would block or never end: report it instead of reading it.
          else if (entry.isFile() || (entry.isSymbolicLink() && (dangling || isRegularFile(path)))) files.push(path);
          else {
            errors.push(notRegular(rel(path)));
            notAuditedAt(rel(path), { reason: "unreadable", detail: "not a regular file (a FIFO, socket or device)" });
          }
        }
      }
    };
    walk(absolute);
    if (files.length) units.push({ kind: "files", path: rel(absolute), files });
    // A named directory that yields nothing is an error even beside others: a typo must not pass silently.
    if (units.length + errors.length + kustomizations.length === before) {
      errors.push(
        inputError("EMPTY_INPUT", input, "no Kubernetes manifests found (.yaml, .yml, .json, Helm charts or kustomizations)", {
          hint: "name a directory that holds manifests",
        }),
      );
    }
  }

  const dependencies = new Set(kustomizations.flatMap(kustomizationDependencies));
  for (const dir of kustomizations) {
    if (!dependencies.has(dir)) units.push({ kind: "kustomize", path: rel(dir) });
  }
  return { units, errors, notAudited };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function notRegular(path: string): InputError {
  return inputError("UNREADABLE", path, "is not a regular file or directory (a FIFO, socket or device)", {
    hint: "remove it from the audited paths",
  });
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function describeUnit(unit: PlannedUnit): string {
  return unit.kind === "files" ? unit.path : `${unit.path} (${unit.kind})`;
}
