/** The severity threshold: the one rule that says whether a finding fails the gate. */
import { SEVERITIES, type Finding, type Severity } from "../types.js";

/** Whether `severity` is at or above `failOn`. */
export function meetsThreshold(severity: Severity, failOn: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(failOn);
}

export type GateState = "failing" | "belowThreshold" | "existing" | "waived" | "error";

/** How one finding counts towards the gate (the exit code follows the same rule, src/gate/summary.ts). */
export function gateState(finding: Pick<Finding, "status" | "severity" | "baseline">, failOn: Severity): GateState {
  if (finding.status === "error") return "error";
  if (finding.status === "waived" || finding.status === "pass") return "waived";
  if (finding.baseline === "existing") return "existing";
  return meetsThreshold(finding.severity, failOn) ? "failing" : "belowThreshold";
}
