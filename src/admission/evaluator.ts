/**
 * Evaluates one admitted object against the object-scope controls with the CLI's object evaluator
 * (src/evaluation/object.ts) and finding merge, then applies the waivers. One instance per worker thread.
 */
import { loadCatalog } from "../catalog/load.js";
import type { Control } from "../catalog/types.js";
import type { AuditConfig } from "../config/types.js";
import { createEngine } from "../engines/index.js";
import { isObjectEngine, type ObjectEngine } from "../engines/types.js";
import { nullFree, stripNullKeys } from "../k8s/strip-nulls.js";
import type { LimitWalk } from "./limits.js";
import { emptyObjectVerdicts, evaluateObject } from "../evaluation/object.js";
import { ControlPlan } from "../evaluation/plan.js";
import { mergeVerdicts } from "../findings/merge.js";
import { refOf } from "../k8s/workloads.js";
import type { Finding, K8sObject } from "../types.js";
import { applyWaivers } from "../waivers/apply.js";
import type { Waiver } from "../waivers/types.js";

/** What the config and waiver files say, as plain data (sent to every worker on load and reload). */
export interface PolicySettings {
  config: AuditConfig;
  waivers: Waiver[];
  profile: string;
}

/** A finding at admission: the control's remediation travels with it for the response message. */
export interface AdmissionFinding extends Finding {
  remediation: string;
}

const SOURCE = { file: "admission", line: 0, documentIndex: 0 };
/** The in-process engines, the same as the CLI's default. */
const ADMISSION_ENGINES = ["rego", "typescript"] as const;
const UNIT = "admission";

export class AdmissionEvaluator {
  private plan: ControlPlan;
  private settings: PolicySettings;

  private constructor(
    private readonly engines: readonly ObjectEngine[],
    private readonly controls: readonly Control[],
    settings: PolicySettings,
  ) {
    this.settings = settings;
    this.plan = new ControlPlan(controls, settings.profile, settings.config);
  }

  /** Loads the catalog's object-scope controls and prepares the in-process engines (the wasm bundle: `policies/dist` or ERLMCP_AUDIT_POLICY_DIST). */
  static async load(settings: PolicySettings): Promise<AdmissionEvaluator> {
    const controls = loadCatalog().filter((c) => c.scope === "object");
    const engines = ADMISSION_ENGINES.map(createEngine).filter(isObjectEngine);
    for (const engine of engines) await engine.prepare(controls.filter((c) => engine.implements(c)));
    return new AdmissionEvaluator(engines, controls, settings);
  }

  /** Applies new config/waiver settings: the controls enabled, their severity and parameters. */
  configure(settings: PolicySettings): void {
    this.plan = new ControlPlan(this.controls, settings.profile, settings.config);
    this.settings = settings;
  }

  /**
   * Failing, waived and error findings of one object (passing controls produce none). JSON null is
   * unset: the object is judged without its null-valued keys, as the API server stores it. `walked`: what
   * the limit walk found of them (walkLimits), so that they are not searched for again.
   */
  evaluate(admitted: K8sObject, now: Date, walked?: Pick<LimitWalk, "nullKey">): AdmissionFinding[] {
    const object = walked && !walked.nullKey ? nullFree(admitted) : stripNullKeys(admitted);
    const planned = this.plan.forObject(object);
    if (!planned.length) return [];
    const ref = refOf(object);
    const verdicts = emptyObjectVerdicts(this.engines, planned);
    evaluateObject(this.engines, this.plan, object, ref, verdicts);
    const findings: AdmissionFinding[] = [];
    for (const { control, severity } of planned) {
      const merged = mergeVerdicts({ control, unit: UNIT, severity, sourceOf: () => SOURCE }, verdicts.get(control.id) ?? []);
      for (const f of merged.findings) findings.push({ ...f, remediation: control.remediation });
    }
    return applyWaivers(findings, this.settings.waivers, { now, objectOf: () => object }).findings as AdmissionFinding[];
  }
}
