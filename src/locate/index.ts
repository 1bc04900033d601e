/**
 * Points every finding at the line to change (Finding.location): the field's key in a plain file, the
 * overlay line that sets it in a Kustomize build, the template (or helper) line that renders it in a
 * Helm chart. Runs after evaluation, on the findings only; a field that cannot be placed keeps the
 * object's own source, flagged `via: "object"`. See docs/locations.md.
 */
import type { ResultCache } from "../cache/store.js";
import { findingKey, resourceKey } from "../findings/identity.js";
import { parsePath } from "../k8s/field-path.js";
import type { HelmOptions } from "../loaders/render.js";
import type { AuditUnit, Finding, FieldLocation, InputFile, Resource } from "../types.js";
import { locateCluster } from "./cluster.js";
import { availableParallelism } from "node:os";
import { busyClock } from "../tools/busy-clock.js";
import { limiter } from "../tools/limiter.js";
import { locateHelm, needsTaggedRender, taggedRender } from "./helm.js";
import { locateKustomize } from "./kustomize.js";
import { locatePlain } from "./plain.js";
import type { LocateContext, Locator } from "./types.js";
import { YamlFiles } from "./yaml-file.js";

/** The locator of each kind of unit. */
export const LOCATORS: Record<AuditUnit["kind"], Locator> = {
  files: locatePlain,
  stdin: locatePlain,
  helm: locateHelm,
  kustomize: locateKustomize,
  cluster: locateCluster,
};

export interface LocateOptions {
  cwd: string;
  /** Texts of streams that are not files (stdin), by the name findings carry. */
  texts?: ReadonlyMap<string, string>;
  /** The options the loader rendered Helm charts with (the Helm locator renders them again the same way). */
  helm?: HelmOptions;
  /** The input files with the SHA-256 the audit read: a file changed since is not used to place findings. */
  inputs?: readonly InputFile[];
  /** Place fields of plain block YAML by the fast path (default); false: by `yaml`'s document model only (same result, for comparison). */
  fastPath?: boolean;
  /** `--cache`: the tagged Helm renders placing needs are cached as the loader's renders are. */
  cache?: ResultCache;
  /** Hears the wall time during which renders placing needs ran (Helm charts rendered again from a tagged copy). */
  onRender?: (ms: number) => void;
}

/** Sets `location` on every failing or waived finding about a resource of the units. */
export async function locateFindings(findings: readonly Finding[], units: readonly AuditUnit[], options: LocateOptions): Promise<void> {
  const renderClock = busyClock(limiter(Math.max(2, availableParallelism())));
  const context: LocateContext = {
    cwd: options.cwd,
    files: new YamlFiles(
      options.cwd,
      options.texts,
      new Map((options.inputs ?? []).map((i) => [i.path, i.sha256])),
      options.fastPath ?? true,
    ),
    memo: new Map(),
    helm: options.helm,
    render: renderClock.run,
    cleanup: [],
    ...(options.cache ? { cache: options.cache } : {}),
  };
  try {
    await placeAll(findings, units, context);
  } finally {
    for (const clean of context.cleanup!) clean();
  }
  options.onRender?.(renderClock.busyMs());
}

async function placeAll(findings: readonly Finding[], units: readonly AuditUnit[], context: LocateContext): Promise<void> {
  const byUnit = new Map(units.map((u) => [u.id, u]));
  const resources = new Map<string, Map<string, Resource>>();
  const resourceIn = (unit: AuditUnit, key: string): Resource | undefined => {
    let index = resources.get(unit.id);
    if (!index) {
      index = new Map(unit.resources.map((r) => [resourceKey(r.ref), r]));
      resources.set(unit.id, index);
    }
    return index.get(key);
  };
  const done = new Map<string, FieldLocation | undefined>();
  // File by file, so that each file is parsed once while only a few are kept in memory.
  const ordered = findings
    .filter((f) => f.status !== "error")
    .map((finding) => ({ finding, file: `${finding.unit}\u0000${finding.source.file}` }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  // The renders placing needs run side by side, as the loader's do, rather than one per finding's turn.
  for (const { finding } of ordered) {
    const unit = byUnit.get(finding.unit);
    const resource = unit && resourceIn(unit, resourceKey(finding.resource));
    const request = unit && resource && { unit, resource, path: parsePath(finding.path ?? "") };
    if (request && needsTaggedRender(request)) void taggedRender(request, context);
  }
  for (const { finding } of ordered) {
    const unit = byUnit.get(finding.unit);
    const resource = unit && resourceIn(unit, resourceKey(finding.resource));
    if (!unit || !resource) continue;
    const key = `${findingKey(finding)}\u0000${finding.path ?? ""}`;
    if (!done.has(key)) done.set(key, await locateOne(unit, resource, finding.path, context));
    const location = done.get(key);
    if (location) finding.location = location;
  }
}

async function locateOne(unit: AuditUnit, resource: Resource, path: string | undefined, context: LocateContext): Promise<FieldLocation> {
  const request = { unit, resource, path: parsePath(path ?? "") };
  try {
    const found = await LOCATORS[unit.kind](request, context);
    if (found) return found;
  } catch {
    // Placing a field is best effort: the finding stands, pointing at its object.
  }
  return { file: resource.source.file, line: resource.source.line, via: "object" };
}
