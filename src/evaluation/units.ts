/** Evaluates every audit unit and turns the engines' verdicts into findings (src/findings/merge.ts). */
import type { Engine } from "../engines/types.js";
import type { Disagreement } from "../findings/agreement.js";
import { resourceKey } from "../findings/identity.js";
import { mergeVerdicts } from "../findings/merge.js";
import { sourceLocator } from "../units/profile.js";
import { controlMatches } from "../catalog/match.js";
import type { AuditUnit, EngineName, Finding, Params, Resource } from "../types.js";
import type { EvaluationPool } from "./parallel.js";
import type { ControlPlan } from "./plan.js";
import { evaluateUnit } from "./unit.js";

/** What ran of one control in one unit; its failed/waived/error counts are read off the final findings. */
export interface ControlRun {
  controlId: string;
  unit: string;
  profile: string;
  severity: Finding["severity"];
  /** Resources of the control's kinds in the unit (for set scope too: the set is its context, not its population). */
  evaluated: number;
  /** The control's effective parameters for the unit's profile (defaults, profile values and config overrides). */
  params: Params;
  /** Engines that gave a verdict on this control in this unit. */
  engines: EngineName[];
}

export interface Evaluation {
  findings: Finding[];
  disagreements: Disagreement[];
  runs: ControlRun[];
}

export async function evaluateUnits(
  units: readonly AuditUnit[],
  planFor: (profile: string) => ControlPlan,
  engines: readonly Engine[],
  onUnit?: (unit: AuditUnit, index: number) => void,
  pool?: EvaluationPool,
): Promise<Evaluation> {
  const out: Evaluation = { findings: [], disagreements: [], runs: [] };
  for (const [index, unit] of units.entries()) {
    onUnit?.(unit, index);
    const plan = planFor(unit.profile);
    const verdicts = await evaluateUnit(unit, plan, engines, pool);
    const sourceOf = sourceLocator(unit);
    for (const { control, severity, params } of plan.controls) {
      const merged = mergeVerdicts({ control, unit: unit.id, severity, sourceOf }, verdicts.get(control.id) ?? []);
      out.findings.push(...merged.findings);
      out.disagreements.push(...merged.disagreements);
      out.runs.push({
        controlId: control.id,
        unit: unit.id,
        profile: unit.profile,
        severity,
        evaluated: unit.resources.filter((r) => controlMatches(control, r.object)).length,
        params,
        engines: merged.engines,
      });
    }
  }
  return out;
}

/** The resource each finding is about (for waivers that match labels), by unit and resource. */
export function resourceIndex(units: readonly AuditUnit[]): (finding: Finding) => Resource | undefined {
  const index = new Map<string, Resource>();
  for (const unit of units) for (const r of unit.resources) index.set(`${unit.id}\u0000${resourceKey(r.ref)}`, r);
  return (f) => index.get(`${f.unit}\u0000${resourceKey(f.resource)}`);
}
