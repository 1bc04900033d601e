import type { Violation } from "../types.js";
import { isWorkload, podLabels, podSpec, refOf, replicas } from "../k8s/workloads.js";
import { labelSelectorMatches, type Labels } from "../k8s/selectors.js";
import type { ObjectValidator } from "./types.js";

function isHostTerm(term: any, labels: Labels): boolean {
  return term?.topologyKey === "kubernetes.io/hostname" && labelSelectorMatches(term.labelSelector, labels);
}

export const avlAntiAffinity: ObjectValidator = {
  id: "avl-anti-affinity",
  scope: "object",
  validate(object, params) {
    const n = replicas(object);
    if (!isWorkload(object) || object.kind === "DaemonSet" || n < 2) return [];
    const labels = podLabels(object);
    const anti = podSpec(object).affinity?.podAntiAffinity ?? {};
    const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
    if (list(anti.requiredDuringSchedulingIgnoredDuringExecution).some((t) => isHostTerm(t, labels))) return [];
    const preferred = list(anti.preferredDuringSchedulingIgnoredDuringExecution).some((w) => isHostTerm(w?.podAffinityTerm, labels));
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
