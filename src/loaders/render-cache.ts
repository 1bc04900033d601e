/**
 * `--cache` for renders: a Helm or Kustomize output is stored under a key of every file the render
 * reads, the render's options and the binary that runs it; a failed render is never stored.
 */
import { readRegularFile } from "../tools/read-regular-file.js";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { toolFingerprint } from "../cache/fingerprint.js";
import { cacheKey, type KeyPart, type ResultCache } from "../cache/store.js";
import { findTool, type ToolName } from "../tools/find.js";
import { kustomizationSources } from "./kustomization.js";
import type { HelmOptions, RenderOutput } from "./render.js";

/** A file larger than this (more than helm may render) is not keyed: its render runs uncached. */
const MAX_KEYED_FILE_BYTES = 256 * 1024 * 1024;
/** Path and bytes of every file under `dir`, by sorted path. */
function treeParts(dir: string): KeyPart[] {
  const parts: KeyPart[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(d, entry.name);
      if (entry.isSymbolicLink()) throw new Error(`${path} is a symbolic link: the render is not cached`);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) parts.push(path, readRegularFile(path, MAX_KEYED_FILE_BYTES));
    }
  };
  walk(dir);
  return parts;
}

/** The binary that would run, by path, size and modification time (hashing it whole would cost more than most renders). */
function binaryParts(tool: ToolName): KeyPart[] {
  const binary = findTool(tool);
  const stat = statSync(binary);
  return [binary, stat.size, stat.mtimeMs];
}

const REMOTE = /:\/\/|\?ref=|git@/;

/**
 * Whether a kustomization the build reads may fetch something (a URL, `?ref=`, `git@` anywhere in it:
 * a remote resource, base, component or Helm chart). Only kustomization files are looked at: a resource
 * file is emitted, never fetched from, so a URL in its annotations does not make the build remote.
 */
function fetchesRemotely(kustomizations: readonly string[]): boolean {
  return kustomizations.some((f) => REMOTE.test(readRegularFile(f).toString("utf8")));
}

/**
 * The cache key of `helm template` of `chart` with `values`, or undefined when it cannot be keyed (no binary,
 * unreadable file, a symbolic link in the chart). `variant` "tagged": the render of the chart's tagged copy that
 * placing findings needs (src/locate/helm.ts), whose tags the tool's fingerprint covers.
 */
export function helmRenderKey(
  chart: string,
  values: string,
  options: HelmOptions,
  cwd: string,
  label: string,
  variant: "plain" | "tagged" = "plain",
): string | undefined {
  try {
    const chartDir = resolve(cwd, chart);
    return cacheKey(
      "render",
      toolFingerprint(),
      variant === "tagged" ? "helm-tagged" : "helm",
      ...binaryParts("helm"),
      cwd,
      label,
      options,
      ...treeParts(chartDir),
      resolve(cwd, values),
      readRegularFile(resolve(cwd, values), MAX_KEYED_FILE_BYTES),
    );
  } catch {
    return undefined;
  }
}

/**
 * The cache key of `kustomize build` of `dir`: every file of the overlay folder and every local file
 * its build reads; undefined for a build with a remote reference (its output can change without a local change).
 */
export function kustomizeRenderKey(dir: string, cwd: string, allowEmpty: boolean): string | undefined {
  try {
    const root = resolve(cwd, dir);
    const sources = kustomizationSources(root);
    const files = [...new Set([...sources.declaring, ...sources.others])].sort();
    const parts: KeyPart[] = files.flatMap((f) => [f, readRegularFile(f, MAX_KEYED_FILE_BYTES)]);
    if (fetchesRemotely(sources.kustomizations)) return undefined;
    return cacheKey(
      "render",
      toolFingerprint(),
      "kustomize",
      ...binaryParts("kustomize"),
      cwd,
      dir,
      allowEmpty,
      ...treeParts(root),
      ...parts,
    );
  } catch {
    return undefined;
  }
}

/** The render's output from `cache` under `key`, else `render()`'s, stored when it succeeded. */
export async function renderThroughCache(
  cache: ResultCache | undefined,
  key: () => string | undefined,
  render: () => Promise<RenderOutput>,
): Promise<RenderOutput> {
  const address = cache ? key() : undefined;
  if (!cache || !address) return render();
  const stdout = cache.get<string>("render", address);
  if (typeof stdout === "string") return { stdout };
  const out = await render();
  if (!out.error && typeof out.stdout === "string") cache.put("render", address, out.stdout);
  return out;
}
