import type { ResourceRef } from "../types.js";

/** `kind/namespace/name`: which object a finding is about (API version left out, as kubectl get does). */
export function resourceKey(ref: Pick<ResourceRef, "kind" | "namespace" | "name">): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}
