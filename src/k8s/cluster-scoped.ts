/** Well-known cluster-scoped kinds (policies/_kinds.yaml); every other kind is treated as namespaced. */
import { KINDS } from "../catalog/kinds.js";
import type { K8sObject } from "../types.js";

/** Kinds without a namespace (`clusterScoped` in policies/_kinds.yaml). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = KINDS.clusterScoped;

export function isClusterScoped(obj: K8sObject): boolean {
  return typeof obj.kind === "string" && CLUSTER_SCOPED_KINDS.has(obj.kind);
}
