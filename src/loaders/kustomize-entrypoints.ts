/**
 * Which kustomizations are rendered on their own. By default every kustomization found is: an overlay
 * that wraps another and patches its danger away must not hide it. The config's `entrypoints` may
 * narrow this to the kustomizations that are deployed (named, or taken from the Argo CD Applications
 * and Flux Kustomizations in the input); every kustomization not rendered on its own, and every file a
 * kustomization reads for something other than a resource, is listed as not audited with the reason.
 */
import { readRegularText } from "../tools/read-regular-file.js";
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import type { AuditConfig } from "../config/types.js";
import type { InputError, NotAuditedFile, Notice } from "../types.js";
import { inputError } from "./errors.js";
import { KUSTOMIZATION_FILES, kustomizationFile, readKustomization, type KustomizationRefs } from "./kustomization.js";

/** The config's `entrypoints` and the config file they come from. */
export interface EntrypointOptions {
  spec: NonNullable<AuditConfig["entrypoints"]>;
  /** Absolute path of the config file: `paths` and `gitOpsRoot` are relative to its folder. */
  configFile: string;
}

/** A kustomization rendered as its own unit. */
export interface PlannedKustomization {
  kind: "kustomize";
  path: string;
  /** Kustomizations among the inputs that build on this one: an empty build is then no error (a component, a patch-only base). */
  usedBy: string[];
}

/** The kustomize part of a discovery. */
export interface KustomizePlan {
  units: PlannedKustomization[];
  notAudited: NotAuditedFile[];
  notices: Notice[];
  errors: InputError[];
}

/** What planning needs besides the kustomizations found. */
export interface KustomizePlanContext {
  cwd: string;
  entrypoints?: EntrypointOptions;
  /** Plain manifest files of the inputs, searched for Argo CD Applications and Flux Kustomizations. */
  plainFiles: readonly string[];
  /** Files larger than this are not searched (they are refused when read). */
  maxFileBytes: number;
}

/** A kustomization folder named as deployed, and by what. */
interface Entrypoint {
  dir: string;
  from: "config" | "gitops";
}

/** The kustomizations of `found` (absolute folders, in walk order) to render, and what is not audited. */
export function planKustomizations(found: readonly string[], ctx: KustomizePlanContext): KustomizePlan {
  const rel = (p: string) => relative(ctx.cwd, p) || ".";
  const read = memoized(readKustomization);
  const refs = new Map(found.flatMap((dir) => (read(dir) ? [[dir, read(dir)!] as const] : [])));
  const usersAmong = (dirs: Iterable<string>, dir: string) => [...dirs].filter((d) => read(d)?.dependencies.includes(dir));

  const plan: KustomizePlan = { units: [], notAudited: [], notices: [], errors: [] };
  let rendered = [...found];
  if (ctx.entrypoints && found.length) {
    const entries = entrypoints(ctx.entrypoints, ctx, [...refs.values()], plan.errors);
    const byReal = new Set(entries.map((e) => realOrSelf(e.dir)));
    const selected = found.filter((dir) => byReal.has(realOrSelf(dir)));
    const configFile = rel(ctx.entrypoints.configFile);
    if (!selected.length) {
      plan.notices.push({
        code: "KUSTOMIZE_NO_ENTRYPOINT",
        file: configFile,
        message: `entrypoints name none of the ${found.length} kustomizations among the inputs: every kustomization is rendered on its own`,
      });
    } else {
      rendered = selected;
      const fromGitOps = entries.filter((e) => e.from === "gitops" && selected.some((d) => realOrSelf(d) === realOrSelf(e.dir)));
      plan.notices.push({
        code: "KUSTOMIZE_ENTRYPOINTS",
        file: configFile,
        message:
          `entrypoints narrow the kustomizations rendered on their own to ${selected.length} of ${found.length}` +
          ` (${selected.map(rel).join(", ")}${fromGitOps.length ? "; named by Argo CD or Flux objects in the input" : ""});` +
          " the others are listed as not audited (kustomizeFile)",
      });
    }
  }

  const reached = closure(rendered, read);
  const renderedSet = new Set(rendered);
  for (const dir of rendered) plan.units.push({ kind: "kustomize", path: rel(dir), usedBy: usersAmong(found, dir).map(rel) });

  const auditedResources = new Set([...reached].flatMap((dir) => read(dir)?.resources ?? []));
  const listed = new Set<string>();
  const list = (path: string, detail: string) => {
    if (listed.has(path) || auditedResources.has(path)) return;
    listed.add(path);
    plan.notAudited.push({ path: rel(path), reason: "kustomizeFile", detail });
  };
  for (const [dir, k] of refs) {
    const name = rel(dir);
    const users = usersAmong(reached, dir).map(rel).sort();
    if (renderedSet.has(dir)) list(k.file, `kustomization file of ${name}, rendered as its own unit`);
    else if (reached.has(dir))
      list(k.file, `used as a base by ${users.join(", ")}; not an entry point, so not rendered on its own (audited through their builds)`);
    else list(k.file, "not an entry point and not used by one: not rendered, nothing in it is audited");
    for (const [path, use] of k.others)
      list(path, reached.has(dir) ? `${use} of ${name}, applied through its build` : `${use} of ${name}, which is not rendered`);
    if (!reached.has(dir))
      for (const path of k.resources) list(path, `resource of ${name}, which is not an entry point and not used by one: not audited`);
  }
  return plan;
}

/** `dirs` and every local kustomization they build on, transitively. */
function closure(dirs: readonly string[], read: (dir: string) => KustomizationRefs | undefined): Set<string> {
  const seen = new Set<string>();
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    read(dir)?.dependencies.forEach(visit);
  };
  dirs.forEach(visit);
  return seen;
}

function memoized<T>(f: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, f(key));
    return cache.get(key)!;
  };
}

function entrypoints(
  options: EntrypointOptions,
  ctx: KustomizePlanContext,
  found: KustomizationRefs[],
  errors: InputError[],
): Entrypoint[] {
  const spec = Array.isArray(options.spec) ? { paths: options.spec } : options.spec;
  const configDir = dirname(options.configFile);
  const configName = relative(ctx.cwd, options.configFile) || options.configFile;
  const entries: Entrypoint[] = [];
  for (const path of spec.paths ?? []) {
    const target = resolve(configDir, path);
    const dir = KUSTOMIZATION_FILES.includes(basename(target)) ? dirname(target) : target;
    if (kustomizationFile(dir)) entries.push({ dir, from: "config" });
    else
      errors.push(
        inputError("ENTRYPOINT_NOT_FOUND", configName, `entrypoints: ${path} is not a kustomization folder`, {
          hint: "name a folder that holds a kustomization.yaml, relative to the config file",
        }),
      );
  }
  if (spec.fromGitOps) {
    const root = spec.gitOpsRoot !== undefined ? resolve(configDir, spec.gitOpsRoot) : gitWorkTree(configDir);
    const files = [...ctx.plainFiles, ...found.flatMap((k) => [k.file, ...k.resources])];
    for (const path of gitOpsPaths(files, ctx.maxFileBytes)) entries.push({ dir: resolve(root, path), from: "gitops" });
  }
  return entries;
}

/** The nearest folder at or above `dir` that holds `.git`, else `dir`. */
function gitWorkTree(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return dir;
  }
}

const GITOPS_HINT = /argoproj\.io|kustomize\.toolkit\.fluxcd\.io/;
const MAX_LIST_DEPTH = 8;

/** The `path` of every Argo CD Application (spec.source, spec.sources[]) and Flux Kustomization in `files`. */
export function gitOpsPaths(files: readonly string[], maxFileBytes: number): string[] {
  const paths: string[] = [];
  const visit = (object: unknown, depth: number) => {
    if (!object || typeof object !== "object" || depth > MAX_LIST_DEPTH) return;
    const o = object as { apiVersion?: unknown; kind?: unknown; spec?: Record<string, unknown>; items?: unknown };
    const apiVersion = typeof o.apiVersion === "string" ? o.apiVersion : "";
    if (Array.isArray(o.items) && typeof o.kind === "string" && o.kind.endsWith("List")) o.items.forEach((i) => visit(i, depth + 1));
    else if (apiVersion.startsWith("argoproj.io/") && o.kind === "Application") {
      const sources = [o.spec?.source, ...(Array.isArray(o.spec?.sources) ? o.spec.sources : [])];
      for (const s of sources) if (s && typeof (s as { path?: unknown }).path === "string") paths.push((s as { path: string }).path);
    } else if (apiVersion.startsWith("kustomize.toolkit.fluxcd.io/") && o.kind === "Kustomization" && typeof o.spec?.path === "string")
      paths.push(o.spec.path);
  };
  for (const file of files) {
    const text = readRegularText(file, maxFileBytes);
    if (text === undefined) continue;
    if (!GITOPS_HINT.test(text)) continue;
    // Broken documents are reported when the file is loaded; here they simply name no path.
    for (const doc of parseAllDocuments(text, { uniqueKeys: false })) {
      if (doc.errors.length) continue;
      try {
        visit(doc.toJS({ maxAliasCount: 100 }), 0);
      } catch {
        /* an alias bomb or similar: reported by the load */
      }
    }
  }
  return paths;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
