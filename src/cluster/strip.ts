/** The desired state of an object read from a cluster: the fields the API server fills in removed. */
import type { K8sObject } from "../types.js";

/** Metadata fields the API server sets; none of them is part of what a manifest declares. */
const SERVER_METADATA = ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink"];

/**
 * A copy of the object without `status` and the server-populated metadata fields; a Secret's values
 * are emptied (its keys stay), so no credential is kept or reported.
 */
export function desiredState(object: K8sObject): K8sObject {
  const { status: _status, metadata, ...rest } = object;
  const meta = { ...(metadata ?? {}) };
  for (const key of SERVER_METADATA) delete meta[key];
  if (object.kind === "Secret")
    for (const field of ["data", "stringData", "binaryData"]) {
      const values = rest[field];
      if (values && typeof values === "object") rest[field] = Object.fromEntries(Object.keys(values).map((k) => [k, ""]));
    }
  return { ...rest, metadata: meta };
}
