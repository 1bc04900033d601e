/** The summary of a report and its exit code: 0 pass, 1 failing findings or expired waivers, 2 input or evaluation errors. */
import type { AuditReport, ReportSummary } from "../report/types.js";
import { SEVERITIES, type Severity } from "../types.js";
import { gateState } from "./threshold.js";

/** The verdict word of each exit code. */
export const VERDICT = { 0: "PASS", 1: "FAIL", 2: "ERROR" } as const;

export function summarize(
  report: Pick<AuditReport, "units" | "controls" | "disabledControls" | "findings" | "inputErrors" | "waivers" | "baseline">,
  failOn: Severity,
): ReportSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let failed = 0;
  let gateFailures = 0;
  for (const f of report.findings) {
    if (f.status !== "fail") continue;
    failed++;
    bySeverity[f.severity]++;
    if (gateState(f, failOn) === "failing") gateFailures++;
  }
  const errors = report.findings.filter((f) => f.status === "error").length;
  const expiredWaivers = report.waivers.filter((w) => w.state === "expired").length;
  const exitCode: 0 | 1 | 2 = report.inputErrors.length || errors ? 2 : gateFailures || expiredWaivers ? 1 : 0;
  return {
    units: report.units.length,
    resources: report.units.reduce((n, u) => n + u.resources.length, 0),
    controls: report.controls.filter((c) => c.results.length > 0).length,
    disabledControls: new Set(report.disabledControls.map((d) => d.controlId)).size,
    failed,
    waived: report.findings.filter((f) => f.status === "waived").length,
    errors,
    inputErrors: report.inputErrors.length,
    bySeverity,
    expiredWaivers,
    unusedWaivers: report.waivers.filter((w) => w.matched === 0).length,
    ...(report.baseline
      ? {
          baseline: {
            new: report.findings.filter((f) => f.baseline === "new").length,
            existing: report.findings.filter((f) => f.baseline === "existing").length,
            fixed: report.baseline.fixed.length,
          },
        }
      : {}),
    exitCode,
  };
}
