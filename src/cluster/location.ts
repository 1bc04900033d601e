/** Where a finding about a cluster object points: `cluster://<context>/<namespace>/<kind>/<name>`. */
import type { ResourceRef } from "../types.js";

/** The namespace segment of cluster-scoped objects (a namespace name cannot start with `_`). */
export const CLUSTER_SCOPE = "_cluster";

/** `cluster://<context>/<namespace>/<kind>/<name>` (namespace `_cluster` for cluster-scoped objects). */
export function clusterLocation(context: string, ref: Pick<ResourceRef, "namespace" | "kind" | "name">): string {
  return `cluster://${context}/${ref.namespace || CLUSTER_SCOPE}/${ref.kind}/${ref.name}`;
}
