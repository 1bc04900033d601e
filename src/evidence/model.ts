/** evidence.json: the versioned model every other file of the evidence package is rendered from. */
import type { MappingBasis } from "../catalog/types.js";
import type { AuditReport } from "../report/types.js";
import type { FrameworkId, InputError, InputFile, NotAuditedFile, Params, ResourceRef, Severity } from "../types.js";
import type { RunIdentity } from "./custody.js";
import type { WaiverStatus } from "../waivers/types.js";
import type { FrameworkCatalog } from "./frameworks.js";
import { uuidv5 } from "./uuid.js";

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

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id, "en", { numeric: true });

function controlStatus(c: { evaluated: number; failed: number; errors: number; ran: boolean }): ControlStatus {
  if (c.failed > 0 || c.errors > 0) return "not-satisfied";
  if (!c.ran) return "disabled";
  return c.evaluated > 0 ? "satisfied" : "not-applicable";
}

/** A control the config disabled everywhere gives no evidence: the criterion is judged without it. */
function automatedStatus(all: ControlStatus[]): AutomatedStatus {
  const statuses = all.filter((s) => s !== "disabled");
  if (statuses.length === 0) return "none";
  if (statuses.includes("not-satisfied")) return "not-satisfied";
  return statuses.includes("satisfied") ? "satisfied" : "not-applicable";
}

/** A criterion with an external part is never fully proven by the manifests; a failure still shows as not satisfied. */
export function criterionStatus(automated: AutomatedStatus, external: boolean, exceptions = false): CriterionStatus {
  if (automated === "not-satisfied") return "not-satisfied";
  if (external || automated === "none") return "needs-external-evidence";
  return automated === "satisfied" && exceptions ? "met-with-exceptions" : automated;
}

/** Per profile the control ran with: its severity and parameters, and the units. */
function parametersOf(results: AuditReport["controls"][number]["results"]): EvidenceControl["parameters"] {
  const byProfile = new Map<string, EvidenceControl["parameters"][number]>();
  for (const r of results) {
    const entry = byProfile.get(r.profile);
    if (entry) entry.units.push(r.unit);
    else byProfile.set(r.profile, { profile: r.profile, severity: r.severity, params: r.params, units: [r.unit] });
  }
  return [...byProfile.values()].sort((a, b) => a.profile.localeCompare(b.profile));
}

function location(f: Pick<AuditReport["findings"][number], "source" | "location">): string {
  const at = f.location ?? f.source;
  return [at.file, at.line, f.location?.column].filter((p) => p !== undefined).join(":");
}

/** What a run of automated configuration checks cannot show; stated on the evidence's first page. */
export const LIMITATIONS: readonly string[] = [
  "The checks read the declared configuration (manifests, charts, overlays) at this commit; they do not observe the running cluster, which may differ (manual changes, drift, objects created outside these inputs).",
  "A run shows the configuration at one point in time; operation between runs is shown only by a ledger of runs over the period (see docs/auditor-guide.md).",
  "Criteria marked as needing external evidence depend on processes, people or systems outside the manifests and are not proven by this package.",
  "Waived findings are exceptions approved by the named approvers; the package records them but does not judge the approvals.",
];

export function buildEvidence(report: AuditReport, options: EvidenceOptions): Evidence {
  const controls: EvidenceControl[] = report.controls
    .map((c) => {
      const sum = (k: "evaluated" | "failed" | "waived" | "errors") => c.results.reduce((n, r) => n + r[k], 0);
      const counts = { evaluated: sum("evaluated"), failed: sum("failed"), waived: sum("waived"), errors: sum("errors") };
      const disabled = report.disabledControls
        .filter((d) => d.controlId === c.id)
        .map(({ profile, units, file, line, reason }) => ({ ...(profile ? { profile } : {}), units, file, line, reason }));
      return {
        id: c.id,
        title: c.title,
        domain: c.domain,
        severity: c.severity,
        scope: c.scope,
        engines: [...c.engines],
        kinds: [...c.kinds].sort(),
        remediation: c.remediation,
        units: c.results.map((r) => r.unit),
        parameters: parametersOf(c.results),
        ...(disabled.length ? { disabled } : {}),
        ...counts,
        status: controlStatus({ ...counts, ran: c.results.length > 0 || disabled.length === 0 }),
      };
    })
    .sort(byId);
  const controlById = new Map(controls.map((c) => [c.id, c]));
  const waivedBy = new Map<string, number>();
  for (const f of report.findings)
    if (f.status === "waived" && f.waiver)
      waivedBy.set(`${f.controlId}\u0000${f.waiver.id}`, (waivedBy.get(`${f.controlId}\u0000${f.waiver.id}`) ?? 0) + 1);
  const exceptionsOf = (controlIds: readonly string[]): EvidenceException[] =>
    report.waivers
      .flatMap((w) => {
        const findings = controlIds.includes(w.control) ? (waivedBy.get(`${w.control}\u0000${w.id}`) ?? 0) : 0;
        if (!findings) return [];
        const { id, control, approver, approved, ticket, expires, justification } = w;
        return [{ waiver: id, controlId: control, findings, approver, approved, ticket, expires, justification }];
      })
      .sort((a, b) => a.waiver.localeCompare(b.waiver));

  const frameworks: EvidenceFramework[] = options.frameworks.map((fw) => {
    const criteria = fw.criteria
      .map((criterion): EvidenceCriterion => {
        const mapped = report.controls
          .flatMap((c) => (c.frameworks[fw.id] ?? []).filter((m) => m.id === criterion.id).map((m) => ({ control: c, mapping: m })))
          .map(({ control, mapping }) => ({
            id: control.id,
            title: control.title,
            basis: [...mapping.basis],
            rationale: mapping.rationale,
            status: controlById.get(control.id)!.status,
          }))
          .sort(byId);
        const automated = automatedStatus(mapped.map((m) => m.status));
        const exceptions = exceptionsOf(mapped.map((m) => m.id));
        return {
          id: criterion.id,
          title: criterion.title,
          status: criterionStatus(automated, !!criterion.external, exceptions.length > 0),
          automated,
          basis: (["K", "P", "A", "J"] as MappingBasis[]).filter((b) => mapped.some((m) => m.basis.includes(b))),
          ...(criterion.external ? { external: criterion.external } : {}),
          controls: mapped,
          exceptions,
        };
      })
      .sort(byId);
    const counts = Object.fromEntries(CRITERION_STATUSES.map((status) => [status, 0])) as Record<CriterionStatus, number>;
    for (const c of criteria) counts[c.status]++;
    return { id: fw.id, name: fw.name, version: fw.version, counts, criteria };
  });

  // The report's unevaluatedKinds come from the evaluation's own matching (src/catalog/match.ts).
  const notEvaluated = (unit: { unevaluatedKinds: readonly string[] }, kind: string) => unit.unevaluatedKinds.includes(kind);
  const population: EvidenceResource[] = [];
  for (const unit of report.units) {
    for (const r of unit.resources) {
      population.push({
        unit: unit.id,
        apiVersion: r.apiVersion,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        evaluated: !notEvaluated(unit, r.kind),
      });
    }
  }
  population.sort((a, b) =>
    `${a.unit}\0${a.kind}\0${a.namespace}\0${a.name}`.localeCompare(`${b.unit}\0${b.kind}\0${b.namespace}\0${b.name}`),
  );
  const kinds = new Map<string, number>();
  for (const r of population) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  const evaluated = population.filter((r) => r.evaluated).length;

  const remediation = new Map(report.controls.map((c) => [c.id, c.remediation]));
  const findings: EvidenceFinding[] = report.findings
    .filter((f): f is typeof f & { status: EvidenceFinding["status"] } => f.status !== "pass")
    .map((f) => ({
      controlId: f.controlId,
      status: f.status,
      severity: f.severity,
      message: f.message,
      unit: f.unit,
      resource: f.resource,
      location: location(f),
      ...(f.path ? { path: f.path } : {}),
      remediation: remediation.get(f.controlId) ?? "",
      ...(f.waiver ? { waiver: f.waiver.id } : {}),
    }));

  const body: Omit<Evidence, "id"> = {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    generatedAt: report.generatedAt,
    tool: { ...report.tool, renderers: options.renderers ?? {} },
    scope: {
      paths: [...options.paths],
      ...(report.config ? { config: report.config } : {}),
      frameworks: options.frameworks.map((f) => f.id),
      configFiles: report.configFiles,
      failOn: report.failOn,
      profiles: [...new Set(report.units.map((u) => u.profile))].sort(),
      ...(options.git ? { git: options.git } : {}),
      ...(options.observed ? { observed: options.observed } : {}),
      scopes: scopesOf(report),
      unscopedUnits: report.scopes.length ? report.units.filter((u) => !u.scopes.length).map((u) => u.id) : [],
    },
    run: options.run ?? {},
    statements: {
      population: `100% of the population was tested, no sampling: every resource of the ${report.units.length} units rendered from the inputs (${population.length} resources) was evaluated by every control that applies to its kind.`,
      limitations: [...LIMITATIONS],
    },
    inputs: [...report.inputs].sort((a, b) => a.path.localeCompare(b.path)),
    notAudited: [...report.notAudited],
    units: report.units.map((u) => ({
      id: u.id,
      kind: u.kind,
      path: u.path,
      ...(u.values ? { values: u.values } : {}),
      profile: u.profile,
      scopes: u.scopes,
      resources: u.resources.length,
      unevaluatedKinds: u.unevaluatedKinds,
    })),
    population,
    reconciliation: {
      inputFiles: report.inputs.length,
      notAudited: report.notAudited.length,
      units: report.units.length,
      resources: population.length,
      evaluated,
      notEvaluated: population.length - evaluated,
      byKind: [...kinds]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, n]) => ({ kind, resources: n, evaluated: !report.units.some((u) => notEvaluated(u, kind)) })),
    },
    controls,
    frameworks,
    findings,
    waivers: [...report.waivers].sort(byId),
    inputErrors: report.inputErrors,
    summary: report.summary,
  };
  const { schemaVersion, ...rest } = body;
  return { schemaVersion, id: uuidv5(`evidence:${JSON.stringify(body)}`), ...rest };
}

/** The population of each scope of the config: units, input files under them, renders and distinct resources. */
function scopesOf(report: AuditReport): EvidenceScope[] {
  return report.scopes.map(({ name, description }) => {
    const units = report.units.filter((u) => u.scopes.includes(name));
    const roots = units.flatMap((u) => [u.path, ...(u.values ? [u.values] : [])]);
    const files = report.inputs.filter((i) => roots.some((r) => i.path === r || i.path.startsWith(`${r.replace(/\/$/, "")}/`))).length;
    const refs = units.flatMap((u) => u.resources);
    return {
      name,
      ...(description ? { description } : {}),
      units: units.map((u) => u.id),
      files,
      resources: refs.length,
      distinctResources: new Set(refs.map((r) => `${r.kind}/${r.namespace}/${r.name}`)).size,
    };
  });
}
