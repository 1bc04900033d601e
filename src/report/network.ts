/** The network model a report draws for each unit (docs/network-model.md). */
import type { Control } from "../catalog/types.js";
import { setInputs } from "../engines/partition.js";
import { buildNetworkModel } from "../k8s/network-model.js";
import type { NetworkModel } from "../k8s/network-types.js";
import { WORKLOAD_KINDS } from "../k8s/workloads.js";
import type { Resource } from "../types.js";

/** What the model reads, as net-workload-isolated reads it. */
const NETWORK: Pick<Control, "kinds" | "partition"> = { kinds: [...WORKLOAD_KINDS, "NetworkPolicy"] };

/**
 * The model of the objects the CNI acts on once the unit is applied (setInputs): the copy kubectl leaves of
 * each identity, and NetworkPolicies of networking.k8s.io only (a custom resource named NetworkPolicy
 * isolates nothing), so the drawing agrees with the network controls' findings.
 */
export function networkModelOf(resources: readonly Resource[]): NetworkModel {
  return buildNetworkModel(setInputs(NETWORK, resources)[0] ?? []);
}
