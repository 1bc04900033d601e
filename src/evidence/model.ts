/** evidence.json: the versioned model every other file of the evidence package is rendered from. */
import type { MappingBasis } from "../catalog/types.js";
import type { AuditReport } from "../report/types.js";
import type { FrameworkId, InputError, InputFile, NotAuditedFile, ResourceRef, Severity } from "../types.js";
import type { WaiverStatus } from "../waivers/types.js";
import type { FrameworkCatalog } from "./frameworks.js";
import { uuidv5 } from "./uuid.js";

export const EVIDENCE_SCHEMA_VERSION = "1.0.0";

export type CriterionStatus = "satisfied" | "not-satisfied" | "not-applicable" | "needs-external-evidence";
export const CRITERION_STATUSES: readonly CriterionStatus[] = ["satisfied", "not-satisfied", "not-applicable", "needs-external-evidence"];
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
  };
  inputs: InputFile[];
  /** Files and folders under the input paths that were not audited, with the reason (sorted by path). */
  notAudited: NotAuditedFile[];
  units: Array<{ id: string; kind: string; path: string; values?: string; profile: string; resources: number; unevaluatedKinds: string[] }>;
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

export interface EvidenceOptions {
  /** The paths the audit was run on, as given (relative to the working directory). */
  paths: string[];
  frameworks: FrameworkCatalog[];
  git?: { commit: string; dirty: boolean };
  renderers?: Record<string, string>;
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
export function criterionStatus(automated: AutomatedStatus, external: boolean): CriterionStatus {
  if (automated === "not-satisfied") return "not-satisfied";
  if (external || automated === "none") return "needs-external-evidence";
  return automated;
}

function location(source: { file: string; line: number }): string {
  return `${source.file}:${source.line}`;
}

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
        ...(disabled.length ? { disabled } : {}),
        ...counts,
        status: controlStatus({ ...counts, ran: c.results.length > 0 || disabled.length === 0 }),
      };
    })
    .sort(byId);
  const controlById = new Map(controls.map((c) => [c.id, c]));

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
        return {
          id: criterion.id,
          title: criterion.title,
          status: criterionStatus(automated, !!criterion.external),
          automated,
          basis: (["K", "P", "A", "J"] as MappingBasis[]).filter((b) => mapped.some((m) => m.basis.includes(b))),
          ...(criterion.external ? { external: criterion.external } : {}),
          controls: mapped,
        };
      })
      .sort(byId);
    const counts = { satisfied: 0, "not-satisfied": 0, "not-applicable": 0, "needs-external-evidence": 0 };
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
      location: location(f.source),
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
    },
    inputs: [...report.inputs].sort((a, b) => a.path.localeCompare(b.path)),
    notAudited: [...report.notAudited],
    units: report.units.map((u) => ({
      id: u.id,
      kind: u.kind,
      path: u.path,
      ...(u.values ? { values: u.values } : {}),
      profile: u.profile,
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
