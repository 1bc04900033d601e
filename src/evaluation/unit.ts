/** Evaluates one audit unit with every engine: object-scope controls object by object, set-scope controls on the whole unit. */
import { controlMatches } from "../catalog/match.js";
import type { Control } from "../catalog/types.js";
import { isObjectEngine, type ControlVerdict, type Engine, type EngineContext, type ObjectEngine } from "../engines/types.js";
import type { Params } from "../validators/types.js";
import type { AuditUnit } from "../types.js";
import type { EngineVerdict } from "../findings/merge.js";
import { emptyObjectVerdicts, evaluateObject, type VerdictsByControl } from "./object.js";
import type { EvaluationPool } from "./parallel.js";
import type { ControlPlan } from "./plan.js";
import type { RegoUnitJob } from "./rego-thread.js";

/**
 * In-process engines judge the unit's objects through the object evaluator and its set-scope controls
 * through evaluate() (shared with `pool`'s threads when it accepts the unit; the Rego engine's begun in its own
 * thread when the pool's Rego thread takes the unit, its object-scope checks then shared with this thread once
 * the others are done); out-of-process engines (one process per unit) get every control through evaluate().
 * Each control's verdicts are listed in the order of `engines`.
 */
export async function evaluateUnit(
  unit: AuditUnit,
  plan: ControlPlan,
  engines: readonly Engine[],
  pool?: EvaluationPool,
): Promise<VerdictsByControl> {
  const objectEngines = engines.filter(isObjectEngine);
  const verdicts = emptyObjectVerdicts(objectEngines, plan.controls);
  const add = ({ engine, detail, verdict }: EngineVerdict) => {
    const list = verdicts.get(verdict.controlId) ?? [];
    const target = list.find((v) => v.engine === engine)?.verdict;
    if (target) {
      target.violations.push(...verdict.violations);
      target.errors.push(...verdict.errors);
      if (verdict.notJudged) (target.notJudged ??= []).push(...verdict.notJudged);
    } else list.push({ engine, detail, verdict });
    verdicts.set(verdict.controlId, list);
  };

  const planned: Control[] = plan.controls.map((p) => p.control);
  const setControls = planned.filter((c) => c.scope === "set");
  const threaded =
    objectEngines.length && pool?.accepts(unit)
      ? pool.evaluate(
          unit,
          setControls.filter((c) => objectEngines.some((e) => e.implements(c))),
          { engines: objectEngines, plan },
        )
      : undefined;
  const context: EngineContext = { paramsFor: (control) => plan.get(control.id)?.params ?? {} };
  // Engines another thread begins on the whole unit meanwhile (src/evaluation/rego-thread.ts).
  const aside = new Map<ObjectEngine, RegoUnitJob>();
  if (!threaded && pool)
    for (const engine of objectEngines) {
      const job = pool.engineAside(
        unit,
        engine,
        plan,
        setControls.filter((c) => engine.implements(c)),
        context,
      );
      if (job) aside.set(engine, job);
    }
  const here = objectEngines.filter((e) => !aside.has(e));
  if (!threaded) for (const resource of unit.resources) evaluateObject(here, plan, resource.object, resource.ref, verdicts);

  for (const engine of engines) {
    if ((threaded && isObjectEngine(engine)) || (isObjectEngine(engine) && aside.has(engine))) continue;
    const controls = (isObjectEngine(engine) ? setControls : planned).filter((c) => engine.implements(c));
    if (!controls.length) continue;
    for (const verdict of await engine.evaluate(unit, controls, context)) add({ engine: engine.name, detail: engine.detail, verdict });
  }
  for (const [engine, job] of aside) {
    job.shareHere();
    const { objects, sets } = await job.verdicts();
    for (const verdict of [...objects.flat(), ...sets]) add({ engine: engine.name, detail: engine.detail, verdict });
  }
  if (threaded) {
    const { slices, sets } = await threaded;
    for (const list of [...slices, ...sets]) list.forEach(add);
  }
  const order = new Map(engines.map((e, i) => [e.name, i]));
  for (const list of verdicts.values()) list.sort((a, b) => order.get(a.engine)! - order.get(b.engine)!);
  return verdicts;
}

/** One engine's verdict on one control in one unit, with the given parameters (fixtures, parity tests, single-control runs). */
export async function verdictOf(engine: Engine, unit: AuditUnit, control: Control, params: Params): Promise<ControlVerdict | undefined> {
  if (!engine.implements(control)) return undefined;
  if (!isObjectEngine(engine) || control.scope === "set") {
    const [verdict] = await engine.evaluate(unit, [control], { paramsFor: () => params });
    return verdict;
  }
  const verdict: ControlVerdict = { controlId: control.id, violations: [], errors: [] };
  for (const r of unit.resources) {
    if (!controlMatches(control, r.object)) continue;
    for (const v of engine.evaluateObject(r.object, r.ref, [{ control, params }])) {
      verdict.violations.push(...v.violations);
      verdict.errors.push(...v.errors);
    }
  }
  return verdict;
}
