/** evidence.json: the versioned model every other file of the evidence package is rendered from. */
import type { AuditReport } from "../report/types.js";
import { byId, evidenceFrameworks } from "./criteria.js";
import {
  EVIDENCE_SCHEMA_VERSION,
  type ControlStatus,
  type Evidence,
  type EvidenceControl,
  type EvidenceFinding,
  type EvidenceOptions,
  type EvidenceResource,
  type EvidenceScope,
} from "./evidence-types.js";
import { uuidv5 } from "./uuid.js";

export * from "./evidence-types.js";
export { criterionStatus } from "./criteria.js";

function controlStatus(c: { evaluated: number; failed: number; errors: number; ran: boolean }): ControlStatus {
  if (c.failed > 0 || c.errors > 0) return "not-satisfied";
  if (!c.ran) return "disabled";
  return c.evaluated > 0 ? "satisfied" : "not-applicable";
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
  const frameworks = evidenceFrameworks(report, options.frameworks, controls);

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
