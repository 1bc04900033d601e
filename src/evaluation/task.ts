/** One evaluation task (src/evaluation/parallel.ts) run by the in-process engines of whichever thread takes it. */
import type { EngineContext, ObjectEngine } from "../engines/types.js";
import type { EngineVerdict } from "../findings/merge.js";
import type { AuditUnit } from "../types.js";
import { emptyObjectVerdicts, evaluateObject } from "./object.js";
import type { ControlPlan } from "./plan.js";

/** The object-scope controls on resources [from, to) of a unit, or one set-scope control on it; `unit` names the unit among those sent to a thread. */
export type EvaluationTask = { unit: string; from: number; to: number } | { unit: string; controlId: string };

/** The engines' verdicts on one task, engine by engine in the order of `engines`. */
export async function runEvaluationTask(
  engines: readonly ObjectEngine[],
  plan: ControlPlan,
  unit: AuditUnit,
  task: EvaluationTask,
): Promise<EngineVerdict[]> {
  if ("from" in task) {
    const verdicts = emptyObjectVerdicts(engines, plan.controls);
    for (const r of unit.resources.slice(task.from, task.to)) evaluateObject(engines, plan, r.object, r.ref, verdicts);
    return [...verdicts.values()].flat();
  }
  const control = plan.get(task.controlId)?.control;
  if (!control) throw new Error(`${task.controlId} is not planned for profile ${unit.profile}`);
  const context: EngineContext = { paramsFor: (c) => plan.get(c.id)?.params ?? {} };
  const out: EngineVerdict[] = [];
  for (const engine of engines) {
    if (!engine.implements(control)) continue;
    for (const verdict of await engine.evaluate(unit, [control], context))
      out.push({ engine: engine.name, detail: engine.detail, verdict });
  }
  return out;
}
