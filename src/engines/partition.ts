/** The inputs a set-scope control is evaluated on: the objects it matches only, one namespace at a time where it declares `partition: namespace`. */
import { controlMatches } from "../catalog/match.js";
import type { Control } from "../catalog/types.js";
import { CLUSTER_SCOPED_KINDS } from "../k8s/cluster-scoped.js";
import { identityInGroupOf, lastByIdentity } from "../k8s/identity.js";
import type { Resource } from "../types.js";

/**
 * Set-scope controls judge the set as the API server ends after it is applied (surviving), and read only the
 * objects they match (src/catalog/match.ts: the kinds they list, and
 * for a pod-level control every object carrying a pod template), so each input holds those. A control with
 * `partition: namespace` gets one input per namespace: the namespaced objects of that namespace,
 * its Namespace object, and every other cluster-scoped object of its kinds. The union of the
 * partitions' findings equals the findings on the whole set (test/partition.test.ts).
 */
export function setInputs(
  control: Pick<Control, "kinds" | "partition">,
  resources: readonly Resource[],
): ReadonlyArray<readonly Resource[]> {
  let byMatch = inputsOf.get(resources);
  if (!byMatch) inputsOf.set(resources, (byMatch = new Map()));
  const key = `${control.partition ?? ""}\u0000${control.kinds.join(",")}`;
  let inputs = byMatch.get(key);
  if (!inputs)
    byMatch.set(
      key,
      (inputs = partitioned(
        control,
        surviving(resources).filter((r) => controlMatches(control, r.object)),
      )),
    );
  return inputs;
}

/** setInputs of each unit by partition and kinds (all controlMatches reads): both engines and the report ask for the same inputs. */
const inputsOf = new WeakMap<readonly Resource[], Map<string, ReadonlyArray<readonly Resource[]>>>();

/** surviving() of each unit's resources, computed once for all its set-scope controls and both engines. */
const survivors = new WeakMap<readonly Resource[], readonly Resource[]>();

/**
 * The resources that exist once the set is applied in order: of two objects of one identity (with the API
 * group: a custom resource reusing a kind's name replaces nothing), kubectl leaves
 * the later, so an earlier copy (a default-deny NetworkPolicy that a later one of the same name narrows, a
 * PodDisruptionBudget replaced) is no part of what a set-scope control judges. Each copy is still judged
 * by the object-scope controls: each is applied in its turn.
 */
function surviving(resources: readonly Resource[]): readonly Resource[] {
  let out = survivors.get(resources);
  if (!out) {
    const kept = new Set(
      lastByIdentity(
        resources.map((r) => r.object),
        identityInGroupOf,
      ),
    );
    survivors.set(resources, (out = kept.size === resources.length ? resources : resources.filter((r) => kept.has(r.object))));
  }
  return out;
}

/** One input, or one per namespace (its Namespace object and the cluster-scoped objects in each). */
function partitioned(control: Pick<Control, "kinds" | "partition">, relevant: Resource[]): Resource[][] {
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
