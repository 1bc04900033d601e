/** The inputs a set-scope control is evaluated on: the objects it matches only, one namespace at a time where it declares `partition: namespace`. */
import { controlMatches } from "../catalog/match.js";
import type { Control } from "../catalog/types.js";
import { CLUSTER_SCOPED_KINDS } from "../k8s/cluster-scoped.js";
import type { Resource } from "../types.js";

/**
 * Set-scope controls read only the objects they match (src/catalog/match.ts: the kinds they list, and
 * for a pod-level control every object carrying a pod template), so each input holds those. A control with
 * `partition: namespace` gets one input per namespace: the namespaced objects of that namespace,
 * its Namespace object, and every other cluster-scoped object of its kinds. The union of the
 * partitions' findings equals the findings on the whole set (test/partition.test.ts).
 */
export function setInputs(control: Pick<Control, "kinds" | "partition">, resources: readonly Resource[]): Resource[][] {
  const relevant = resources.filter((r) => controlMatches(control, r.object));
  if (control.partition !== "namespace") return [relevant];
  const shared: Resource[] = [];
  const byNamespace = new Map<string, Resource[]>();
  const slot = (ns: string) => {
    let list = byNamespace.get(ns);
    if (!list) byNamespace.set(ns, (list = []));
    return list;
  };
  for (const r of relevant) {
    if (r.ref.kind === "Namespace") slot(r.ref.name).push(r);
    else if (CLUSTER_SCOPED_KINDS.has(r.ref.kind)) shared.push(r);
    else slot(r.ref.namespace).push(r);
  }
  if (!byNamespace.size) return [shared];
  return [...byNamespace.keys()].sort().map((ns) => [...(byNamespace.get(ns) as Resource[]), ...shared]);
}
