/** The inputs a set-scope control is evaluated on: its kinds only, one namespace at a time where it declares `partition: namespace`. */
import type { Control } from "../catalog/types.js";
import { CLUSTER_SCOPED_KINDS } from "../k8s/cluster-scoped.js";
import type { Resource } from "../types.js";

/**
 * Set-scope controls read only the kinds they list, so each input holds those kinds. A control with
 * `partition: namespace` gets one input per namespace: the namespaced objects of that namespace,
 * its Namespace object, and every other cluster-scoped object of its kinds. The union of the
 * partitions' findings equals the findings on the whole set (test/partition.test.ts).
 */
export function setInputs(control: Pick<Control, "kinds" | "partition">, resources: readonly Resource[]): Resource[][] {
  const kinds = new Set(control.kinds);
  const relevant = resources.filter((r) => kinds.has(r.ref.kind));
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
