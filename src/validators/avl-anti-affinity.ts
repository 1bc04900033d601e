import type { Violation } from "../types.js";
import { isWorkload, podLabels, podSpec, refOf, replicas } from "../k8s/workloads.js";
import { selectsAllPods, type PodsOf } from "../k8s/selectors.js";
import type { ObjectValidator } from "./types.js";

/** A term on kubernetes.io/hostname whose labelSelector selects every pod of the workload. */
function isHostTerm(term: any, pods: PodsOf): boolean {
  return term?.topologyKey === "kubernetes.io/hostname" && selectsAllPods(term?.labelSelector, pods);
}

export const avlAntiAffinity: ObjectValidator = {
  id: "avl-anti-affinity",
  scope: "object",
  validate(object, params) {
    const n = replicas(object);
    if (!isWorkload(object) || object.kind === "DaemonSet" || n < 2) return [];
    const pods: PodsOf = { kind: refOf(object).kind, templateLabels: podLabels(object) };
    const anti = podSpec(object).affinity?.podAntiAffinity ?? {};
    const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
    if (list(anti.requiredDuringSchedulingIgnoredDuringExecution).some((t) => isHostTerm(t, pods))) return [];
    const preferred = list(anti.preferredDuringSchedulingIgnoredDuringExecution).some((w) => isHostTerm(w?.podAffinityTerm, pods));
    if (preferred && params.allowPreferred === true) return [];
    const resource = refOf(object);
    const violation: Violation = {
      messageId: preferred ? "preferredAntiAffinityOnly" : "noHostAntiAffinity",
      data: { kind: resource.kind, workload: resource.name, replicas: n },
      resource,
    };
    return [violation];
  },
};
