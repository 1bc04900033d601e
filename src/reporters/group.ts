/** Grouping helpers shared by the reporters. */
import type { Finding } from "../types.js";

/** Findings grouped by control ID, in the report's (sorted) order. */
export function byControl(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.controlId, [...(groups.get(f.controlId) ?? []), f]);
  return groups;
}
