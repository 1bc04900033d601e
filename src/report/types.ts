/** The audit report: everything a reporter needs, with no catalog lookups. Schema: docs/report-schema.md. */
import type { BaselineEntry } from "../baseline/baseline.js";
import type { FrameworkMapping } from "../catalog/types.js";
import type { ConfigFile } from "../config/types.js";
import type { NetworkModel } from "../k8s/network-model.js";
import type {
  AuditUnitKind,
  EngineName,
  Finding,
  FrameworkId,
  InputError,
  InputFile,
  NotAuditedFile,
  Notice,
  Params,
  ResourceRef,
  Scope,
  Severity,
} from "../types.js";
import type { WaiverStatus } from "../waivers/types.js";
import type { Disagreement } from "../findings/agreement.js";
import type { ThirdPartyResult } from "../thirdparty/types.js";

export type { ConfigFile, Disagreement, ThirdPartyResult };

export const REPORT_SCHEMA_VERSION = "1.0.0";

/**
 * Metadata of a selected control, embedded in the report. `results` lists the units it ran in: none when
 * the config disabled it for every unit (see `AuditReport.disabledControls`).
 */
export interface ReportControl {
  id: string;
  title: string;
  domain: string;
  severity: Severity;
  scope: Scope;
  engines: EngineName[];
  /** Kinds the control inspects. */
  kinds: string[];
  description: string;
  remediation: string;
  frameworks: Record<FrameworkId, FrameworkMapping[]>;
  references: string[];
  /** Per unit, with the unit's profile applied. */
  results: Array<{
    unit: string;
    profile: string;
    severity: Severity;
    /** The effective parameters in this unit (defaults, profile values and config overrides merged). */
    params: Params;
    /** Resources of the control's kinds in the unit (for a set-scope control too, not the whole set). */
    evaluated: number;
    failed: number;
    waived: number;
    errors: number;
    /** Engines that gave a verdict on this control in this unit. */
    engines: EngineName[];
  }>;
}

/** A control the config switched off (`enabled: false`) for some units of the run: where, why and for which units. */
export interface DisabledControl {
  controlId: string;
  /** The profile of a `profiles.<p>.controls` override; absent for `controls` (every profile). */
  profile?: string;
  /** Units of this run the control did not run in because of this override. */
  units: string[];
  /** The config file and the line of its `enabled: false`. */
  file: string;
  line: number;
  reason: string;
}

export interface ReportUnit {
  id: string;
  kind: AuditUnitKind;
  path: string;
  values?: string;
  profile: string;
  /** The config's `scopes` (system boundary) that name this unit; empty when none does. */
  scopes: string[];
  resources: ResourceRef[];
  /** Kinds in this unit that no control that ran inspects (custom resources, unknown kinds): not evaluated. */
  unevaluatedKinds: string[];
  /** `apiVersion/kind` of the objects no shipped schema knows (unknown custom resources): audited without a type check. */
  unvalidatedKinds: string[];
}

export interface ReportSummary {
  units: number;
  resources: number;
  /** Controls that ran in at least one unit. */
  controls: number;
  /** Controls the config disabled in at least one unit (`disabledControls`). */
  disabledControls: number;
  failed: number;
  waived: number;
  errors: number;
  inputErrors: number;
  bySeverity: Record<Severity, number>;
  expiredWaivers: number;
  unusedWaivers: number;
  /** With `--baseline`: failing findings not in the baseline, those in it, and baseline entries no longer found. */
  baseline?: { new: number; existing: number; fixed: number };
  /** 0 pass, 1 failing findings or expired waivers, 2 input or evaluation errors. */
  exitCode: 0 | 1 | 2;
}

export interface AuditReport {
  schemaVersion: string;
  tool: { name: string; version: string; opaVersion: string; policyBundleSha256: string; engines: EngineName[] };
  generatedAt: string;
  config?: string;
  /** The config and waiver files the run used, with their SHA-256. */
  configFiles: ConfigFile[];
  failOn: Severity;
  inputs: InputFile[];
  units: ReportUnit[];
  controls: ReportControl[];
  /** The config's `scopes` (system boundary), in the config's order; each unit lists the scopes that name it. */
  scopes: Array<{ name: string; description?: string }>;
  /** Every `enabled: false` of the config that kept a selected control from running in a unit of this run. */
  disabledControls: DisabledControl[];
  findings: Finding[];
  inputErrors: InputError[];
  /** Files under the input paths that were not audited, with the reason: nothing is skipped silently. */
  notAudited: NotAuditedFile[];
  /** How charts and kustomizations were rendered, where the reader must know it (Helm `lookup`, `.Capabilities`, kustomize entry points); never fails the run. */
  notices: Notice[];
  waivers: WaiverStatus[];
  disagreements: Disagreement[];
  /** With `--baseline`: the baseline file and its entries no longer found (fixed). */
  baseline?: { file: string; fixed: BaselineEntry[] };
  /** Reachability model of NetworkPolicies per unit ID (see docs/network-model.md). */
  network: Record<string, NetworkModel>;
  /** Results of third-party scanners (`--engine trivy`): evidence beside our verdicts, never merged into `findings`. */
  thirdParty?: ThirdPartyResult[];
  summary: ReportSummary;
}
