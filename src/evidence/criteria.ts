/** The framework side of the evidence: each criterion judged from the controls mapped to it and the exceptions under it. */
import type { MappingBasis } from "../catalog/types.js";
import type { AuditReport } from "../report/types.js";
import {
  CRITERION_STATUSES,
  type AutomatedStatus,
  type ControlStatus,
  type CriterionStatus,
  type EvidenceControl,
  type EvidenceCriterion,
  type EvidenceException,
  type EvidenceFramework,
} from "./evidence-types.js";
import type { FrameworkCatalog } from "./frameworks.js";

/** Orders by `id` the way people read control and criterion IDs (CC6.2 before CC6.10). */
export const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id, "en", { numeric: true });

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

/** The approved waivers that covered findings of these controls in this run, with how many each covered. */
function exceptionsFinder(report: AuditReport): (controlIds: readonly string[]) => EvidenceException[] {
  const waivedBy = new Map<string, number>();
  for (const f of report.findings)
    if (f.status === "waived" && f.waiver)
      waivedBy.set(`${f.controlId}\u0000${f.waiver.id}`, (waivedBy.get(`${f.controlId}\u0000${f.waiver.id}`) ?? 0) + 1);
  return (controlIds) =>
    report.waivers
      .flatMap((w) => {
        const findings = controlIds.includes(w.control) ? (waivedBy.get(`${w.control}\u0000${w.id}`) ?? 0) : 0;
        if (!findings) return [];
        const { id, control, approver, approved, ticket, expires, justification } = w;
        return [{ waiver: id, controlId: control, findings, approver, approved, ticket, expires, justification }];
      })
      .sort((a, b) => a.waiver.localeCompare(b.waiver));
}

/** Every criterion of every framework, judged from the statuses of the controls mapped to it. */
export function evidenceFrameworks(
  report: AuditReport,
  catalogs: readonly FrameworkCatalog[],
  controls: readonly EvidenceControl[],
): EvidenceFramework[] {
  const controlById = new Map(controls.map((c) => [c.id, c]));
  const exceptionsOf = exceptionsFinder(report);
  return catalogs.map((fw) => {
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
}
