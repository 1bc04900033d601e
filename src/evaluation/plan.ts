/** What runs for one profile: the enabled controls with their severity and parameters, and the object-scope ones per object. */
import { controlMatches, matchKey } from "../catalog/match.js";
import type { Control } from "../catalog/types.js";
import { isControlEnabled, resolveParams, resolveSeverity } from "../config/profiles.js";
import type { AuditConfig } from "../config/types.js";
import type { ObjectCheck } from "../engines/types.js";
import type { K8sObject, Severity } from "../types.js";

/** An enabled control with its severity and parameters for one profile. */
export interface PlannedControl extends ObjectCheck {
  severity: Severity;
}

export class ControlPlan {
  /** Enabled controls, in catalog order. */
  readonly controls: readonly PlannedControl[];
  private readonly byId: ReadonlyMap<string, PlannedControl>;
  private readonly byMatchKey = new Map<string, PlannedControl[]>();

  constructor(
    catalog: readonly Control[],
    readonly profile: string,
    config: AuditConfig = {},
  ) {
    this.controls = catalog
      .filter((c) => isControlEnabled(c, profile, config))
      .map((control) => ({
        control,
        params: resolveParams(control, profile, config),
        severity: resolveSeverity(control, profile, config),
      }));
    this.byId = new Map(this.controls.map((p) => [p.control.id, p]));
  }

  get(controlId: string): PlannedControl | undefined {
    return this.byId.get(controlId);
  }

  /** Enabled object-scope controls that evaluate this object (src/catalog/match.ts). */
  forObject(object: K8sObject): readonly PlannedControl[] {
    const key = matchKey(object);
    let list = this.byMatchKey.get(key);
    if (!list)
      this.byMatchKey.set(key, (list = this.controls.filter((p) => p.control.scope === "object" && controlMatches(p.control, object))));
    return list;
  }
}

/** One plan per profile, built on first use. */
export function planCache(catalog: readonly Control[], config: AuditConfig = {}): (profile: string) => ControlPlan {
  const plans = new Map<string, ControlPlan>();
  return (profile) => {
    let plan = plans.get(profile);
    if (!plan) plans.set(profile, (plan = new ControlPlan(catalog, profile, config)));
    return plan;
  };
}
