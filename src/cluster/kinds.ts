/** The kinds a cluster audit reads: every kind a control of the catalog inspects (aliases expanded), sorted. */
import type { Control } from "../catalog/types.js";

/** The union of the controls' `kinds` (the catalog loader has already expanded aliases such as `workloads`). */
export function kindsToRead(controls: ReadonlyArray<Pick<Control, "kinds">>): string[] {
  return [...new Set(controls.flatMap((c) => c.kinds))].sort();
}
