/** Starts the Helm and Kustomize renders of a plan as parallel processes, a few at a time. */
import { availableParallelism } from "node:os";
import type { PlannedUnit } from "./discover.js";
import { renderHelm, renderKustomize, type HelmOptions, type RenderOutput } from "./render.js";

/** Pending render output by label: the Helm label of a chart and values file, or the Kustomize overlay path. */
export type RenderQueue = ReadonlyMap<string, Promise<RenderOutput>>;

/** The label of a chart rendered with one values file: `chart@values-file-name`. */
export const helmLabel = (chart: string, values: string): string => `${chart}@${values.split("/").pop()}`;

/** Runs at most `n` tasks at a time. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= n) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  return (task) =>
    new Promise((resolve, reject) => {
      queue.push(() =>
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          }),
      );
      next();
    });
}

/** Starts every render of `planned` (one per Helm values file, one per overlay); the caller awaits them in plan order. */
export function startRenders(planned: readonly PlannedUnit[], helm: HelmOptions, cwd: string): RenderQueue {
  const renders = new Map<string, Promise<RenderOutput>>();
  const limit = limiter(Math.max(2, availableParallelism()));
  for (const unit of planned) {
    if (unit.kind === "helm") {
      for (const values of unit.valuesFiles) {
        const label = helmLabel(unit.path, values);
        renders.set(
          label,
          limit(() => renderHelm(unit.path, values, helm, cwd, label)),
        );
      }
    } else if (unit.kind === "kustomize")
      renders.set(
        unit.path,
        limit(() => renderKustomize(unit.path, cwd, unit.path)),
      );
  }
  return renders;
}
