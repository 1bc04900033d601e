/** Declarative conditions on a Kubernetes object, written in control.yaml (e.g. `when: {missing: metadata.namespace}`). */
import type { ObjectCondition } from "./types.js";

/** The value at a dotted path of an object, or undefined where the path leaves the object. */
function valueAt(object: unknown, path: string): unknown {
  let node = object;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Whether the object meets the condition. `missing`: the field is absent, null or an empty string. */
export function conditionHolds(condition: ObjectCondition, object: unknown): boolean {
  const value = valueAt(object, condition.missing);
  return value === undefined || value === null || value === "";
}
