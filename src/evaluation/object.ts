/**
 * The one object-scope evaluator: every in-process engine judges one object against the enabled
 * object-scope controls of its kind. The CLI calls it for each resource of a unit, the admission
 * webhook for each admitted object.
 */
import type { ObjectEngine } from "../engines/types.js";
import type { EngineVerdict } from "../findings/merge.js";
import type { K8sObject, ResourceRef } from "../types.js";
import type { ControlPlan, PlannedControl } from "./plan.js";

/** Per control ID, each engine's verdict; `into` accumulates over several objects. */
export type VerdictsByControl = Map<string, EngineVerdict[]>;

/** Adds an empty verdict of each engine for each of the planned object-scope controls it implements. */
export function emptyObjectVerdicts(
  engines: readonly ObjectEngine[],
  planned: readonly PlannedControl[],
  into: VerdictsByControl = new Map(),
): VerdictsByControl {
  for (const { control } of planned) {
    if (control.scope !== "object") continue;
    for (const engine of engines) {
      if (!engine.implements(control)) continue;
      const list = into.get(control.id) ?? [];
      list.push({ engine: engine.name, detail: engine.detail, verdict: { controlId: control.id, violations: [], errors: [] } });
      into.set(control.id, list);
    }
  }
  return into;
}

/** Evaluates one object; its violations and errors are appended to the verdicts prepared by emptyObjectVerdicts. */
export function evaluateObject(
  engines: readonly ObjectEngine[],
  plan: ControlPlan,
  object: K8sObject,
  ref: ResourceRef,
  into: VerdictsByControl,
): void {
  const checks = plan.forObject(object);
  if (!checks.length) return;
  for (const engine of engines) {
    for (const verdict of engine.evaluateObject(object, ref, checks)) {
      const target = into.get(verdict.controlId)?.find((v) => v.engine === engine.name)?.verdict;
      if (!target) throw new Error(`${engine.name} returned a verdict on ${verdict.controlId}, which was not planned`);
      target.violations.push(...verdict.violations);
      target.errors.push(...verdict.errors);
    }
  }
}
