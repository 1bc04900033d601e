/** Starts the Helm and Kustomize renders of a plan as parallel processes, a few at a time. */
import { availableParallelism } from "node:os";
import { basename, isAbsolute, relative, sep } from "node:path";
import type { ResultCache } from "../cache/store.js";
import type { PlannedUnit } from "./discover.js";
import { limiter } from "../tools/limiter.js";
import { helmRenderKey, kustomizeRenderKey, renderThroughCache } from "./render-cache.js";
import { renderHelm, renderKustomize, type HelmOptions, type RenderOutput } from "./render.js";

/** Pending render output by label: the Helm label of a chart and values file, or the Kustomize overlay path. */
export type RenderQueue = ReadonlyMap<string, Promise<RenderOutput>>;

/**
 * The label (and unit ID) of a chart rendered with one values file: `chart@` then the values file's path
 * inside the chart (`chart@values.prod.yaml`, `chart@ci/x-values.yaml`), or its name when it lies outside.
 */
export function helmLabel(chart: string, values: string): string {
  const inside = relative(chart, values);
  return `${chart}@${inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside.split(sep).join("/") : basename(values)}`;
}

/**
 * Starts every render of `planned` (one per Helm values file, one per overlay); the caller awaits them in
 * plan order. With `cache` (`--cache`), a render whose files, options and binary are unchanged is read from it.
 */
export function startRenders(planned: readonly PlannedUnit[], helm: HelmOptions, cwd: string, cache?: ResultCache): RenderQueue {
  const renders = new Map<string, Promise<RenderOutput>>();
  const limit = limiter(Math.max(2, availableParallelism()));
  for (const unit of planned) {
    if (unit.kind === "helm") {
      for (const values of unit.valuesFiles) {
        const label = helmLabel(unit.path, values);
        renders.set(
          label,
          limit(() =>
            renderThroughCache(
              cache,
              () => helmRenderKey(unit.path, values, helm, cwd, label),
              () => renderHelm(unit.path, values, helm, cwd, label),
            ),
          ),
        );
      }
    } else if (unit.kind === "kustomize")
      renders.set(
        unit.path,
        limit(() =>
          renderThroughCache(
            cache,
            () => kustomizeRenderKey(unit.path, cwd, unit.usedBy.length > 0),
            () => renderKustomize(unit.path, cwd, unit.path, unit.usedBy.length > 0),
          ),
        ),
      );
  }
  return renders;
}
