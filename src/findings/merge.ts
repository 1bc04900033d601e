/**
 * From the engines' verdicts on one control in one unit (or one admitted object) to findings: one
 * finding per identity (src/findings/identity.ts), evaluation errors as findings with status `error`,
 * and the engines' disagreements.
 */
import { renderMessage } from "../catalog/load.js";
import type { Control } from "../catalog/types.js";
import type { ControlVerdict, ViolationDetail } from "../engines/types.js";
import type { EngineName, Finding, ResourceRef, Severity, SourceLocation } from "../types.js";
import { compareEngines, tupleKey, type Disagreement, type EngineTuples } from "./agreement.js";
import { findingKey, resourceKey } from "./identity.js";
import { formatPath } from "../k8s/field-path.js";

/** One engine's verdict on the control, and how much detail the engine's violations carry. */
export interface EngineVerdict {
  engine: EngineName;
  detail: ViolationDetail;
  verdict: ControlVerdict;
}

export interface MergeContext {
  control: Pick<Control, "id" | "messages">;
  unit: string;
  severity: Severity;
  /** Where a resource was read from (or the best place to point at when it does not exist). */
  sourceOf(resource: ResourceRef | undefined): SourceLocation;
}

export interface MergedVerdicts {
  /** Failing findings (one per identity) followed by evaluation errors. */
  findings: Finding[];
  failed: number;
  errors: number;
  disagreements: Disagreement[];
  /** Engines that gave a verdict. */
  engines: EngineName[];
}

const NO_RESOURCE: ResourceRef = { apiVersion: "", kind: "", namespace: "", name: "" };

/**
 * Engines whose violations carry their data come first; an engine that reports message IDs only
 * (Kyverno) adds a finding only for a (resource, message ID) no other engine reported.
 */
export function mergeVerdicts(context: MergeContext, verdicts: readonly EngineVerdict[]): MergedVerdicts {
  const { control, unit, severity } = context;
  const failing = new Map<string, Finding>();
  const reportedTuples = new Set<string>();
  const tuples: EngineTuples = new Map();
  const errors: Finding[] = [];
  const ordered = [...verdicts.filter((v) => v.detail === "violations"), ...verdicts.filter((v) => v.detail !== "violations")];
  for (const { engine, detail, verdict } of ordered) {
    const mine = new Map<string, { resource: ResourceRef; messageId: string }>();
    tuples.set(engine, mine);
    const before = new Set(reportedTuples);
    for (const v of verdict.violations) {
      const tuple = tupleKey(v.resource, v.messageId);
      mine.set(tuple, { resource: v.resource, messageId: v.messageId });
      if (detail !== "violations" && before.has(tuple)) continue;
      reportedTuples.add(tuple);
      const finding: Finding = {
        controlId: control.id,
        messageId: v.messageId,
        message: renderMessage(control, v.messageId, v.data),
        data: v.data,
        severity,
        status: "fail",
        resource: v.resource,
        source: context.sourceOf(v.resource),
        engine,
        unit,
        ...(v.path?.length ? { path: formatPath(v.path) } : {}),
      };
      const key = findingKey(finding);
      if (!failing.has(key)) failing.set(key, finding);
    }
    for (const e of verdict.errors) {
      errors.push({
        controlId: control.id,
        messageId: "evaluationError",
        message: `${engine} could not evaluate ${control.id}: ${e.message}`,
        data: {},
        severity,
        status: "error",
        resource: e.resource ?? NO_RESOURCE,
        source: context.sourceOf(e.resource),
        engine,
        unit,
      });
    }
  }
  const engines = verdicts.map((v) => v.engine);
  const notJudged = new Map(verdicts.map((v) => [v.engine, new Set((v.verdict.notJudged ?? []).map(resourceKey))]));
  return {
    findings: [...failing.values(), ...errors],
    failed: failing.size,
    errors: errors.length,
    disagreements: compareEngines(control.id, unit, new Map(engines.map((e) => [e, tuples.get(e)!])), notJudged),
    engines,
  };
}
