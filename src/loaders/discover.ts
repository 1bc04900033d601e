/**
 * Turns the paths a user names into audit units: Helm charts (a unit per values file), kustomizations
 * (a unit each, unless the config's `entrypoints` narrow them) and plain YAML/JSON files (one unit per
 * named folder, one for each symbolic link to a folder below it, which kubectl apply -R -f does not follow,
 * and one for all the files named), stray manifests in chart and kustomization folders included.
 */
import { readdirSync, realpathSync, statSync, type Stats } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { InputError, NotAuditedFile, Notice } from "../types.js";
import { inputError } from "./errors.js";
import type { PlannedChart } from "./helm-chart.js";
import type { EntrypointOptions, PlannedKustomization } from "./kustomize-entrypoints.js";
import { packageIndex } from "./packages.js";
import { skipRules, type SkipRuleOptions, type SkipVerdict } from "./exclude.js";
import { isDirectory, isFile } from "./path-kind.js";

export { MANIFEST_EXTENSIONS } from "./exclude.js";
export { KUSTOMIZATION_FILES } from "./kustomization.js";

/**
 * A unit of plain files: the files under one named folder, or every file named on the command line
 * (`path` is then the first of them). `id` differs from `path` when the set has several named files,
 * or when a kustomization in the same folder takes the path as its ID.
 */
export type PlannedUnit = { kind: "files"; path: string; id?: string; files: string[] } | PlannedChart | PlannedKustomization;

export interface DiscoveryResult {
  units: PlannedUnit[];
  errors: InputError[];
  /** Paths under the input folders that are not audited, with the reason (a skipped folder is one entry, ending in `/`). */
  notAudited: NotAuditedFile[];
  /** What the reader must know about how charts and kustomizations were rendered (lookup, Capabilities, entry points). */
  notices: Notice[];
}

export interface DiscoveryOptions extends SkipRuleOptions {
  cwd: string;
  /** Values files given by the user (`--values`); default: every values file of the chart (see chartValuesFiles). */
  values?: string[];
  /** The config's `entrypoints`: the kustomizations rendered on their own (default: all). */
  entrypoints?: EntrypointOptions;
  /** Files larger than this are not searched for Argo CD and Flux objects (default 16 MiB). */
  maxFileBytes?: number;
}

export function discover(paths: readonly string[], options: DiscoveryOptions): DiscoveryResult {
  const units: PlannedUnit[] = [];
  const errors: InputError[] = [];
  const packages = packageIndex({
    cwd: options.cwd,
    values: options.values,
    entrypoints: options.entrypoints,
    maxFileBytes: options.maxFileBytes ?? 16 * 1024 * 1024,
  });
  const notAudited: NotAuditedFile[] = [];
  const rel = (p: string) => relative(options.cwd, p) || ".";
  const skip = skipRules(options);
  const notAuditedAt = (path: string, verdict: NonNullable<SkipVerdict>) => notAudited.push({ path, ...verdict });

  // The files named on the command line form one manifest set, as `kubectl apply -f a.yaml -f b.yaml` applies them together.
  let namedFiles: Extract<PlannedUnit, { kind: "files" }> | undefined;
  const linkNotices: Notice[] = [];
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
      else if (!namedFiles) units.push((namedFiles = { kind: "files", path: rel(absolute), files: [absolute] }));
      else if (!namedFiles.files.includes(absolute)) namedFiles.files.push(absolute);
      continue;
    }
    if (!stats.isDirectory()) {
      errors.push(notRegular(input));
      continue;
    }
    const files: string[] = [];
    const seen = new Set<string>();
    const before = units.length + errors.length + packages.count();
    // Symbolic links to folders met on the walk: kubectl apply -R -f does not follow them (filepath.Walk).
    const linkedFolders: string[] = [];
    const walk = (dir: string, into: string[]): void => {
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
      const chart = packages.enter(dir);
      if (chart) units.push(chart);
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => kubectlOrder(a.name, b.name));
      } catch (error) {
        errors.push(
          inputError("UNREADABLE", rel(dir), `cannot read directory: ${(error as Error).message}`, { hint: "check its permissions" }),
        );
        notAuditedAt(`${rel(dir)}/`, { reason: "unreadable", detail: `cannot read directory: ${(error as Error).message}` });
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        // Read by Helm or kustomize: audited through the render, or listed as not audited by the chart or kustomization.
        if (packages.claims(path)) continue;
        if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path))) {
          const skipped = skip.folder(path);
          if (skipped) notAuditedAt(`${rel(path)}/`, skipped);
          else if (entry.isSymbolicLink()) linkedFolders.push(path);
          else walk(path, into);
        } else {
          const skipped = skip.file(path);
          const dangling = entry.isSymbolicLink() && !exists(path);
          if (dangling && skipped?.reason === "notManifest") {
            errors.push(inputError("SYMLINK_LOOP", rel(path), "dangling or looping symbolic link", { hint: "fix or remove the link" }));
            notAuditedAt(rel(path), { reason: "unreadable", detail: "dangling or looping symbolic link" });
          } else if (skipped) notAuditedAt(rel(path), skipped);
          // A FIFO, socket or device would block or never end: report it instead of reading it.
          else if (entry.isFile() || (entry.isSymbolicLink() && (dangling || isFile(path)))) into.push(path);
          else {
            errors.push(notRegular(rel(path)));
            notAuditedAt(rel(path), { reason: "unreadable", detail: "not a regular file (a FIFO, socket or device)" });
          }
        }
      }
    };
    walk(absolute, files);
    if (files.length) units.push({ kind: "files", path: rel(absolute), files });
    // A linked folder's objects are not applied with the folder that links to it: they are audited as a set of
    // their own (as when that folder is applied by itself), never counted in the linking folder's set.
    for (let i = 0; i < linkedFolders.length; i++) {
      const link = linkedFolders[i]!;
      const linked: string[] = [];
      walk(link, linked);
      if (!linked.length) continue;
      units.push({ kind: "files", path: rel(link), files: linked });
      linkNotices.push({
        code: "SYMLINKED_FOLDER",
        file: rel(link),
        message: `a symbolic link to a folder, which kubectl apply -R -f ${rel(absolute)} does not follow: its files are audited as a manifest set of their own, not with ${rel(absolute)}`,
      });
    }
    // A named directory that yields nothing is an error even beside others: a typo must not pass silently.
    if (units.length + errors.length + packages.count() === before) {
      errors.push(
        inputError("EMPTY_INPUT", input, "no Kubernetes manifests found (.yaml, .yml, .json, Helm charts or kustomizations)", {
          hint: "name a directory that holds manifests",
        }),
      );
    }
  }

  if (namedFiles && namedFiles.files.length > 1) namedFiles.id = namedFilesId(namedFiles.files.map(rel));
  const kustomize = packages.finish(units.flatMap((u) => (u.kind === "files" ? u.files : [])));
  units.push(...kustomize.units);
  const kustomizePaths = new Set(kustomize.units.map((u) => u.path));
  for (const unit of units) if (unit.kind === "files" && kustomizePaths.has(unit.path)) unit.id = `${unit.path} (plain files)`;
  errors.push(...kustomize.errors);
  return { units, errors, notAudited: [...notAudited, ...kustomize.notAudited], notices: [...linkNotices, ...kustomize.notices] };
}

/**
 * The ID of the set of files named on the command line: `a.yaml + b.yaml` (up to three, in the
 * order given), else `a.yaml + 4 more files`. A single file's ID is its path.
 */
export function namedFilesId(files: readonly string[]): string {
  return files.length <= 3 ? files.join(" + ") : `${files[0]} + ${files.length - 1} more files`;
}

/**
 * The order kubectl apply -R -f visits the names of a folder in (Go's filepath.Walk: the bytes of the
 * names, UTF-8), which decides the object that exists when two files hold one identity: `B.yaml` before
 * `a.yaml`, where a locale order (localeCompare) puts `a.yaml` first and took `B.yaml`'s copy as the last.
 */
export function kubectlOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
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
