import { closestPath } from "../k8s/field-path.js";
import { isWorkload, podLabels, podSpec, podSpecPath, refOf, replicas } from "../k8s/workloads.js";
import { selectsAllPods, type PodsOf } from "../k8s/selectors.js";
import type { ObjectValidator } from "./types.js";

export const avlZoneSpread: ObjectValidator = {
  id: "avl-zone-spread",
  scope: "object",
  validate(object) {
    const n = replicas(object);
    if (!isWorkload(object) || object.kind === "DaemonSet" || n < 2) return [];
    const pods: PodsOf = { kind: refOf(object).kind, templateLabels: podLabels(object) };
    const constraints: any[] = Array.isArray(podSpec(object).topologySpreadConstraints) ? podSpec(object).topologySpreadConstraints : [];
    const spread = constraints.some(
      (c) =>
        c?.topologyKey === "topology.kubernetes.io/zone" &&
        c.maxSkew === 1 &&
        c.whenUnsatisfiable === "DoNotSchedule" &&
        selectsAllPods(c.labelSelector, pods),
    );
    if (spread) return [];
    const resource = refOf(object);
    const path = [...closestPath(object, [...podSpecPath(object), "topologySpreadConstraints"])];
    return [{ messageId: "noZoneSpread", data: { kind: resource.kind, workload: resource.name, replicas: n }, resource, path }];
  },
};
