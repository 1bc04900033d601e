import type { Violation } from "../types.js";
import { closestPath } from "../k8s/field-path.js";
import { isWorkload, podLabels, podSpec, podSpecPath, refOf, replicas } from "../k8s/workloads.js";
import { CONTROLLER_POD_LABEL_KEYS, labelSelectorMatches, selectorRequirements, selectsAllPods, type PodsOf } from "../k8s/selectors.js";
import type { ObjectValidator } from "./types.js";

const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * The term looks in the workload's own namespace: `namespaces` and `namespaceSelector` unset (or an
 * empty list), the namespace listed, or a `namespaceSelector` that surely selects it (`{}` selects every
 * namespace; of the namespace only its kubernetes.io/metadata.name label is known).
 */
function inOwnNamespace(term: any, namespace: string): boolean {
  const namespaces: unknown[] = Array.isArray(term?.namespaces) ? term.namespaces : [];
  if (namespaces.length === 0 && term?.namespaceSelector == null) return true;
  if (namespaces.includes(namespace)) return true;
  const requirements = selectorRequirements(term?.namespaceSelector);
  return (
    requirements !== null &&
    (requirements.length === 0 ||
      (namespace !== "" &&
        requirements.every((r) => r.key === NAMESPACE_NAME_LABEL) &&
        labelSelectorMatches(term.namespaceSelector, { [NAMESPACE_NAME_LABEL]: namespace })))
  );
}

/**
 * A term on kubernetes.io/hostname that counts every pod of the workload: its labelSelector selects them
 * all, it looks in the workload's own namespace, and no `mismatchLabelKeys` entry excludes pods with the
 * workload's own value of a label they all carry.
 */
function isHostTerm(term: any, pods: PodsOf, namespace: string): boolean {
  const mismatchKeys: unknown[] = Array.isArray(term?.mismatchLabelKeys) ? term.mismatchLabelKeys : [];
  const carriedByEveryPod = (key: unknown) =>
    typeof key === "string" &&
    (Object.prototype.hasOwnProperty.call(pods.templateLabels, key) || (CONTROLLER_POD_LABEL_KEYS[pods.kind] ?? []).includes(key));
  return (
    term?.topologyKey === "kubernetes.io/hostname" &&
    selectsAllPods(term?.labelSelector, pods) &&
    inOwnNamespace(term, namespace) &&
    !mismatchKeys.some(carriedByEveryPod)
  );
}

export const avlAntiAffinity: ObjectValidator = {
  id: "avl-anti-affinity",
  scope: "object",
  validate(object, params) {
    const n = replicas(object);
    if (!isWorkload(object) || object.kind === "DaemonSet" || n < 2) return [];
    const pods: PodsOf = { kind: refOf(object).kind, templateLabels: podLabels(object) };
    const namespace = refOf(object).namespace;
    const anti = podSpec(object).affinity?.podAntiAffinity ?? {};
    const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
    if (list(anti.requiredDuringSchedulingIgnoredDuringExecution).some((t) => isHostTerm(t, pods, namespace))) return [];
    const preferred = list(anti.preferredDuringSchedulingIgnoredDuringExecution).some((w) =>
      isHostTerm(w?.podAffinityTerm, pods, namespace),
    );
    if (preferred && params.allowPreferred === true) return [];
    const resource = refOf(object);
    const violation: Violation = {
      messageId: preferred ? "preferredAntiAffinityOnly" : "noHostAntiAffinity",
      data: { kind: resource.kind, workload: resource.name, replicas: n },
      resource,
      // Where a required term is added (cut back to what exists), or the preferred terms to make required.
      path: [
        ...closestPath(object, [
          ...podSpecPath(object),
          "affinity",
          "podAntiAffinity",
          preferred ? "preferredDuringSchedulingIgnoredDuringExecution" : "requiredDuringSchedulingIgnoredDuringExecution",
        ]),
      ],
    };
    return [violation];
  },
};
