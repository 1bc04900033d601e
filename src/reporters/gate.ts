/** How one finding counts towards the gate: the same rule the exit code follows (src/audit.ts summarize). */
import type { AuditReport } from "../report.js";
import { SEVERITIES, type Finding } from "../types.js";

export type GateState = "failing" | "belowThreshold" | "existing" | "waived" | "error";

export function gateState(finding: Finding, failOn: AuditReport["failOn"]): GateState {
  if (finding.status === "error") return "error";
  if (finding.status === "waived" || finding.status === "pass") return "waived";
  if (finding.baseline === "existing") return "existing";
  return SEVERITIES.indexOf(finding.severity) <= SEVERITIES.indexOf(failOn) ? "failing" : "belowThreshold";
}

export const VERDICT = { 0: "PASS", 1: "FAIL", 2: "ERROR" } as const;

/** Findings grouped by control ID, in the report's (sorted) order. */
export function byControl(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.controlId, [...(groups.get(f.controlId) ?? []), f]);
  return groups;
}
