/** The workloads of a set as nodes of the network model, indexed by namespace, with the labels of every namespace. */
import type { K8sObject } from "../types.js";
import { list, nameOf, nsOf } from "./manifest-fields.js";
import type { ContainerPort, WorkloadNode } from "./network-types.js";
import type { Labels, PodsOf } from "./selectors.js";
import { allContainers, isWorkload, podLabels } from "./workloads.js";

const NAME_LABEL = "kubernetes.io/metadata.name";

/** The ID of a workload node: `namespace/Kind/name`. */
export const workloadId = (obj: K8sObject): string => `${nsOf(obj)}/${obj.kind}/${nameOf(obj)}`;

/** The pods a workload node creates, as the selector helpers read them (template labels plus controller keys). */
export const podsOf = (w: Pick<WorkloadNode, "kind" | "podLabels">): PodsOf => ({ kind: w.kind, templateLabels: w.podLabels });

/** The workload nodes of a set and what NetworkPolicy peers are matched against. */
export interface WorkloadIndex {
  /** In the order of the set, every direction not yet isolated. */
  workloads: WorkloadNode[];
  byNamespace: Map<string, WorkloadNode[]>;
  /**
   * Labels of each namespace of the set (its Namespace object, or only `kubernetes.io/metadata.name`
   * for a namespace that workloads or policies name without declaring it).
   */
  namespaceLabels: Map<string, Labels>;
}

function containerPorts(obj: K8sObject): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const { container } of allContainers(obj)) {
    for (const p of list(container.ports)) {
      if (typeof p?.containerPort !== "number") continue;
      out.push({
        name: typeof p.name === "string" ? p.name : null,
        port: p.containerPort,
        protocol: p.protocol ?? "TCP",
      });
    }
  }
  return out;
}

/** Indexes the workloads and namespaces of `objects`; `policies` are its NetworkPolicies. */
export function indexWorkloads(objects: readonly K8sObject[], policies: readonly K8sObject[]): WorkloadIndex {
  const workloads: WorkloadNode[] = [];
  const byNamespace = new Map<string, WorkloadNode[]>();
  const namespaceLabels = new Map<string, Labels>();

  for (const obj of objects) {
    if (obj.kind === "Namespace")
      namespaceLabels.set(nameOf(obj), {
        ...(obj.metadata?.labels ?? {}),
        [NAME_LABEL]: nameOf(obj),
      });
  }
  for (const obj of objects) {
    if (!isWorkload(obj)) continue;
    const node: WorkloadNode = {
      id: workloadId(obj),
      namespace: nsOf(obj),
      kind: String(obj.kind),
      name: nameOf(obj),
      podLabels: podLabels(obj),
      ports: containerPorts(obj),
      ingress: { isolated: false, policies: [] },
      egress: { isolated: false, policies: [] },
    };
    workloads.push(node);
    const peers = byNamespace.get(node.namespace);
    if (peers) peers.push(node);
    else byNamespace.set(node.namespace, [node]);
  }
  for (const ns of [...byNamespace.keys(), ...policies.map(nsOf)]) {
    if (!namespaceLabels.has(ns)) namespaceLabels.set(ns, { [NAME_LABEL]: ns });
  }
  return { workloads, byNamespace, namespaceLabels };
}
