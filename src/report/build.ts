/** Assembles the audit report from what the pipeline produced; no evaluation happens here. */
import type { BaselineEntry } from "../baseline/baseline.js";
import { controlMatches, matchKey } from "../catalog/match.js";
import type { Control } from "../catalog/types.js";
import type { DisabledOverride } from "../config/disabled.js";
import type { AuditConfig, ConfigFile } from "../config/types.js";
import { isControlEnabled } from "../config/profiles.js";
import type { EngineDescription } from "../engines/types.js";
import type { Evaluation } from "../evaluation/units.js";
import { compareDisagreements } from "../findings/agreement.js";
import { summarize } from "../gate/summary.js";
import type { NetworkModel } from "../k8s/network-types.js";
import { networkModelOf } from "./network.js";
import type { LoadResult } from "../loaders/load.js";
import type { ThirdPartyResult } from "../thirdparty/types.js";
import type { AuditUnit, EngineName, Finding, Severity } from "../types.js";
import { packageVersion } from "../version.js";
import type { WaiverStatus } from "../waivers/types.js";
import { explainUnusedWaivers } from "../waivers/unused.js";
import { REPORT_SCHEMA_VERSION, type AuditReport, type DisabledControl, type ReportControl, type ReportUnit } from "./types.js";

export interface ReportParts {
  now: Date;
  failOn: Severity;
  configFile?: string;
  config: AuditConfig;
  engines: EngineName[];
  /** The config and waiver files used. */
  configFiles?: ConfigFile[];
  /** The config's `enabled: false` overrides. */
  disabled?: DisabledOverride[];
  descriptions: readonly EngineDescription[];
  controls: readonly Control[];
  input: LoadResult;
  units: readonly AuditUnit[];
  /** Each unit's network model, in `units` order; default built here. */
  networks?: readonly NetworkModel[];
  /** Each unit's unevaluatedKinds, in `units` order; default found here. */
  unevaluatedKinds?: ReadonlyArray<readonly string[]>;
  evaluation: Evaluation;
  /** Final findings: waivers and baseline applied, sorted. */
  findings: Finding[];
  waivers: WaiverStatus[];
  baseline?: { file: string; fixed: BaselineEntry[] };
  thirdParty?: ThirdPartyResult[];
}

export function buildReport(parts: ReportParts): AuditReport {
  const rego = parts.descriptions.find((d) => d.name === "rego");
  const partial: Omit<AuditReport, "summary" | "thirdParty"> = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: {
      name: "erlmcp-audit",
      version: packageVersion(),
      opaVersion: rego?.version ?? "",
      policyBundleSha256: rego?.policyBundleSha256 ?? "",
      engines: parts.engines,
    },
    generatedAt: parts.now.toISOString(),
    config: parts.configFile,
    failOn: parts.failOn,
    configFiles: parts.configFiles ?? [],
    inputs: parts.input.inputs,
    units: parts.units.map((u, i) => reportUnit(u, parts, parts.unevaluatedKinds?.[i])),
    controls: parts.controls.map((c) => reportControl(c, parts)),
    findings: parts.findings,
    scopes: Object.entries(parts.config.scopes ?? {}).map(([name, s]) => ({
      name,
      ...(s.description ? { description: s.description } : {}),
    })),
    disabledControls: disabledControls(parts),
    inputErrors: parts.input.errors,
    notAudited: parts.input.notAudited,
    notices: parts.input.notices,
    waivers: explainUnusedWaivers(parts.waivers, {
      selected: new Set(parts.controls.map((c) => c.id)),
      units: parts.units,
      runs: parts.evaluation.runs,
      disabled: parts.disabled ?? [],
      evaluationErrors: parts.findings.filter((f) => f.status === "error"),
      inputErrors: parts.input.errors.length,
    }),
    ...(parts.baseline ? { baseline: parts.baseline } : {}),
    disagreements: [...parts.evaluation.disagreements].sort(compareDisagreements),
    network: Object.fromEntries(parts.units.map((u, i) => [u.id, parts.networks?.[i] ?? networkModelOf(u.resources)])),
  };
  return { ...partial, summary: summarize(partial, parts.failOn), ...(parts.thirdParty ? { thirdParty: parts.thirdParty } : {}) };
}

function reportUnit(
  u: AuditUnit,
  parts: ReportParts,
  unevaluated: readonly string[] = unevaluatedKinds(u, parts.controls, parts.config),
): ReportUnit {
  const values = parts.input.units.find((l) => l.id === u.id)?.values;
  return {
    id: u.id,
    kind: u.kind,
    path: u.path,
    ...(values ? { values } : {}),
    profile: u.profile,
    scopes: u.scopes ?? [],
    resources: u.resources.map((r) => r.ref),
    unevaluatedKinds: [...unevaluated],
    unvalidatedKinds: parts.input.units.find((l) => l.id === u.id)?.unvalidatedKinds ?? [],
  };
}

function reportControl(c: Control, parts: ReportParts): ReportControl {
  const counts = new Map<string, { failed: number; waived: number; errors: number }>();
  for (const f of parts.findings) {
    if (f.controlId !== c.id) continue;
    const n = counts.get(f.unit) ?? { failed: 0, waived: 0, errors: 0 };
    if (f.status === "fail") n.failed++;
    else if (f.status === "waived") n.waived++;
    else if (f.status === "error") n.errors++;
    counts.set(f.unit, n);
  }
  return {
    id: c.id,
    title: c.title,
    domain: c.domain,
    severity: c.severity,
    scope: c.scope,
    engines: c.engines,
    kinds: c.kinds,
    description: c.description,
    remediation: c.remediation,
    frameworks: c.frameworks,
    references: c.references ?? [],
    results: parts.evaluation.runs
      .filter((r) => r.controlId === c.id)
      .map((r) => ({
        unit: r.unit,
        profile: r.profile,
        severity: r.severity,
        params: r.params,
        evaluated: r.evaluated,
        ...(counts.get(r.unit) ?? { failed: 0, waived: 0, errors: 0 }),
        engines: r.engines,
      })),
  };
}

/**
 * Kinds of the objects in this unit that no enabled control evaluates (the matching of the evaluation,
 * src/catalog/match.ts): reported as not evaluated rather than passed silently. A kind is listed when
 * any of its objects is not evaluated (e.g. a custom resource without a pod template beside one with).
 */
/** Kinds of the unit's objects that no control enabled for its profile evaluates, sorted. */
export function unevaluatedKinds(unit: AuditUnit, controls: readonly Control[], config: AuditConfig): string[] {
  const enabled = controls.filter((c) => isControlEnabled(c, unit.profile, config));
  const evaluatedByKey = new Map<string, boolean>();
  const unevaluated = new Set<string>();
  for (const { object, ref } of unit.resources) {
    const key = matchKey(object);
    let evaluated = evaluatedByKey.get(key);
    if (evaluated === undefined) evaluatedByKey.set(key, (evaluated = enabled.some((c) => controlMatches(c, object))));
    if (!evaluated) unevaluated.add(ref.kind);
  }
  return [...unevaluated].sort();
}

/** The overrides that kept a selected control from running in at least one unit, by control then position. */
function disabledControls(parts: ReportParts): DisabledControl[] {
  const selected = new Set(parts.controls.map((c) => c.id));
  return (parts.disabled ?? [])
    .filter((d) => selected.has(d.controlId))
    .map((d) => ({
      controlId: d.controlId,
      ...(d.profile === undefined ? {} : { profile: d.profile }),
      units: parts.units.filter((u) => d.profile === undefined || u.profile === d.profile).map((u) => u.id),
      file: d.file,
      line: d.line,
      reason: d.reason,
    }))
    .filter((d) => d.units.length > 0)
    .sort((a, b) => a.controlId.localeCompare(b.controlId) || a.file.localeCompare(b.file) || a.line - b.line);
}
