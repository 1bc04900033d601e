/** The types of evidence.json, the versioned model every file of the evidence package is rendered from. */
import type { MappingBasis } from "../catalog/types.js";
import type { AuditReport } from "../report/types.js";
import type { FrameworkId, InputError, InputFile, NotAuditedFile, Params, ResourceRef, Severity } from "../types.js";
import type { RunIdentity } from "./custody.js";
import type { WaiverStatus } from "../waivers/types.js";
import type { FrameworkCatalog } from "./frameworks.js";

export const EVIDENCE_SCHEMA_VERSION = "1.0.0";

/**
 * `met-with-exceptions`: the automated checks passed apart from findings waived under approved, expiring
 * exceptions (listed in `EvidenceCriterion.exceptions`).
 */
export type CriterionStatus = "satisfied" | "met-with-exceptions" | "not-satisfied" | "not-applicable" | "needs-external-evidence";
export const CRITERION_STATUSES: readonly CriterionStatus[] = [
  "satisfied",
  "met-with-exceptions",
  "not-satisfied",
  "not-applicable",
  "needs-external-evidence",
];
/** Verdict of our controls alone; `none` when no control maps to the criterion. */
export type AutomatedStatus = "satisfied" | "not-satisfied" | "not-applicable" | "none";
/** `disabled`: the config switched the control off for every unit (see `EvidenceControl.disabled`); never "not applicable". */
export type ControlStatus = "satisfied" | "not-satisfied" | "not-applicable" | "disabled";

export interface EvidenceControl {
  id: string;
  title: string;
  domain: string;
  severity: Severity;
  scope: string;
  engines: string[];
  kinds: string[];
  remediation: string;
  /** Units the control ran in (a profile may disable it in some). */
  units: string[];
  /** The effective severity and parameters, per profile the control ran with, and the units of each. */
  parameters: Array<{ profile: string; severity: Severity; params: Params; units: string[] }>;
  /** Each `enabled: false` of the config that kept it from running in some units: where, why and which units. */
  disabled?: Array<{ profile?: string; units: string[]; file: string; line: number; reason: string }>;
  evaluated: number;
  failed: number;
  waived: number;
  errors: number;
  status: ControlStatus;
}

export interface EvidenceCriterion {
  id: string;
  title: string;
  status: CriterionStatus;
  automated: AutomatedStatus;
  /** Union of the bases of the mappings to this criterion. */
  basis: MappingBasis[];
  external?: string;
  controls: Array<{ id: string; title: string; basis: MappingBasis[]; rationale: string; status: ControlStatus }>;
  /** Findings of the criterion's controls waived by approved exceptions, per waiver. */
  exceptions: EvidenceException[];
}

/** A waiver in force that waived findings of a criterion's control: the exception an auditor reviews. */
export interface EvidenceException {
  waiver: string;
  controlId: string;
  findings: number;
  approver: string;
  approved: string;
  ticket: string;
  expires: string;
  justification: string;
}

/** A named part of the system boundary (config `scopes`) and its population. */
export interface EvidenceScope {
  name: string;
  description?: string;
  units: string[];
  /** Input files of its units. */
  files: number;
  /** Resources of its units: every render counted (a template rendered with two values files counts twice). */
  resources: number;
  /** Distinct resources (kind, namespace, name) across its units. */
  distinctResources: number;
}

export interface EvidenceFramework {
  id: FrameworkId;
  name: string;
  version: string;
  counts: Record<CriterionStatus, number>;
  criteria: EvidenceCriterion[];
}

export interface EvidenceResource extends ResourceRef {
  unit: string;
  /** Whether any control that ran inspects this kind. */
  evaluated: boolean;
}

export interface EvidenceFinding {
  controlId: string;
  status: "fail" | "waived" | "error";
  severity: Severity;
  message: string;
  unit: string;
  resource: ResourceRef;
  location: string;
  /** JSON path of the field to change, when the finding is about a field. */
  path?: string;
  remediation: string;
  waiver?: string;
}

export interface Evidence {
  schemaVersion: string;
  /** UUID v5 of the content (everything below except this field). */
  id: string;
  generatedAt: string;
  tool: AuditReport["tool"] & { renderers: Record<string, string> };
  scope: {
    paths: string[];
    config?: string;
    /** The config and waiver files the run used, with their SHA-256. */
    configFiles: AuditReport["configFiles"];
    frameworks: FrameworkId[];
    failOn: Severity;
    profiles: string[];
    git?: { commit: string; dirty: boolean };
    /** A cluster audit: the cluster read and when ("observed state of <context> at <time>"). */
    observed?: ObservedState;
    /** The config's scopes (system boundary) with their population; empty when the config names none. */
    scopes: EvidenceScope[];
    /** Units no scope names (only when the config names scopes). */
    unscopedUnits: string[];
  };
  /** Who and what produced the package (chain of custody). */
  run: {
    /** The command line as given (arguments after the program); absent when the library was called directly. */
    commandLine?: string[];
    /** The CI run, from the CI's standard environment variables. */
    ci?: RunIdentity;
    /** The key that signs manifest.json; absent: the package is unsigned. */
    signer?: { algorithm: "Ed25519"; publicKeySha256: string };
  };
  /** What the evidence shows and what it does not. */
  statements: { population: string; limitations: string[] };
  inputs: InputFile[];
  /** Files and folders under the input paths that were not audited, with the reason (sorted by path). */
  notAudited: NotAuditedFile[];
  units: Array<{
    id: string;
    kind: string;
    path: string;
    values?: string;
    profile: string;
    scopes: string[];
    resources: number;
    unevaluatedKinds: string[];
  }>;
  population: EvidenceResource[];
  reconciliation: {
    inputFiles: number;
    /** Paths under the inputs not audited (see `notAudited`). */
    notAudited: number;
    units: number;
    resources: number;
    evaluated: number;
    notEvaluated: number;
    byKind: Array<{ kind: string; resources: number; evaluated: boolean }>;
  };
  controls: EvidenceControl[];
  frameworks: EvidenceFramework[];
  findings: EvidenceFinding[];
  waivers: WaiverStatus[];
  inputErrors: InputError[];
  summary: AuditReport["summary"];
}

/** What a cluster audit read: the kubeconfig context, its API server and the time of the read. */
export interface ObservedState {
  context: string;
  server: string;
  observedAt: string;
  /** `observed state of <context> at <observedAt>` */
  statement: string;
}

export interface EvidenceOptions {
  /** The paths the audit was run on, as given (relative to the working directory). */
  paths: string[];
  /** Set when the audit read a cluster instead of paths. */
  observed?: ObservedState;
  frameworks: FrameworkCatalog[];
  git?: { commit: string; dirty: boolean };
  renderers?: Record<string, string>;
  run?: Evidence["run"];
}
