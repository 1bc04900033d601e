import type { K8sObject, Violation } from "../types.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
import { maySelectPods } from "../k8s/selectors.js";
import { isErlangNode, isWorkload, mainContainers, podLabels, refOf, replicas } from "../k8s/workloads.js";
import { avlAntiAffinity } from "./avl-anti-affinity.js";
import { avlZoneSpread } from "./avl-zone-spread.js";
import type { ObjectValidator, SetValidator } from "./types.js";

type Spec = Record<string, any>;

/** PDB `minAvailable` as a pod count at size n: an int, or a percentage of n rounded up. */
function pdbMinAvailable(value: unknown, n: number): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.endsWith("%")) {
    const percent = Number(value.slice(0, -1));
    return Number.isNaN(percent) ? undefined : Math.ceil((percent * n) / 100);
  }
  return undefined;
}

const SCALED_KINDS = new Set(["Deployment", "StatefulSet", "ReplicaSet", "Rollout"]);

/**
 * Whether an object-scope rule (avl-anti-affinity, avl-zone-spread) fails the workload at the HPA's
 * maxReplicas: those controls see the declared replicas only; here the HPA is visible.
 */
function failsWhenScaled(rule: ObjectValidator, workload: K8sObject, max: number, params: Record<string, any>): boolean {
  const scaled = { ...workload, spec: { ...(workload.spec as object), replicas: max } } as K8sObject;
  return rule.validate(scaled, { allowPreferred: params.allowPreferred === true }).length > 0;
}

/**
 * [resource name, container name or "" for every main container, path of the metric in the HPA] the HPA
 * computes utilisation from.
 */
function measured(spec: Spec): Array<[string, string, FieldPath]> {
  const out: Array<[string, string, FieldPath]> = [];
  (Array.isArray(spec.metrics) ? spec.metrics : []).forEach((m: any, i: number) => {
    const path = ["spec", "metrics", i];
    if (m?.type === "Resource" && m.resource?.name !== undefined) out.push([m.resource.name, "", path]);
    if (m?.type === "ContainerResource" && m.containerResource?.name !== undefined)
      out.push([m.containerResource.name, m.containerResource.container, path]);
  });
  if (spec.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== false)
    out.push(["cpu", "", ["spec", "targetCPUUtilizationPercentage"]]);
  return out;
}

export const resHpaConsistent: SetValidator = {
  id: "res-hpa-consistent",
  scope: "set",
  validate(resources, params) {
    const minQuorum: number = params.minQuorum ?? 3;
    const objects = resources.map((r) => r.object);
    const out: Violation[] = [];
    for (const hpa of objects) {
      if (hpa.kind !== "HorizontalPodAutoscaler") continue;
      const resource = refOf(hpa);
      const add = (messageId: string, path: FieldPath, data: Violation["data"]) =>
        out.push({ messageId, data, resource, path: [...closestPath(hpa, path)] });
      const spec = (hpa.spec ?? {}) as Spec;
      const target = (spec.scaleTargetRef ?? {}) as Spec;
      const min: number = spec.minReplicas ?? 1;
      const max: number = spec.maxReplicas ?? 0;
      const targets = objects.filter(
        (w) => isWorkload(w) && w.kind === target.kind && refOf(w).name === target.name && refOf(w).namespace === resource.namespace,
      );
      if (targets.length === 0) add("targetMissing", ["spec", "scaleTargetRef"], { target: `${target.kind ?? ""}/${target.name ?? ""}` });
      if (max <= min) add("maxNotAboveMin", ["spec", "maxReplicas"], { min, max });
      for (const workload of targets) {
        for (const pdb of objects) {
          if (pdb.kind !== "PodDisruptionBudget" || refOf(pdb).namespace !== refOf(workload).namespace) continue;
          const pdbSpec = (pdb.spec ?? {}) as Spec;
          if (!maySelectPods(pdbSpec.selector, { kind: refOf(workload).kind, templateLabels: podLabels(workload) })) continue;
          const minAvailable = pdbMinAvailable(pdbSpec.minAvailable, min);
          if (minAvailable !== undefined && min < minAvailable + 1)
            add("minBelowPdb", ["spec", "minReplicas"], { min, pdb: refOf(pdb).name, minAvailable });
        }
        if (isErlangNode(workload) && min < minQuorum) add("minBelowQuorum", ["spec", "minReplicas"], { min, quorum: minQuorum });
        if (isErlangNode(workload) && params.requireOdd !== false)
          for (const [bound, value] of [
            ["minReplicas", min],
            ["maxReplicas", max],
          ] as const)
            if (value % 2 === 0) add("evenBound", ["spec", bound], { bound, value, workload: refOf(workload).name });
        if (SCALED_KINDS.has(String(workload.kind)) && replicas(workload) < 2 && max >= 2) {
          const data = { workload: refOf(workload).name, max };
          if (failsWhenScaled(avlAntiAffinity, workload, max, params)) add("scaledWithoutAntiAffinity", ["spec", "maxReplicas"], data);
          if (failsWhenScaled(avlZoneSpread, workload, max, params)) add("scaledWithoutZoneSpread", ["spec", "maxReplicas"], data);
        }
        for (const [metric, container, path] of measured(spec)) {
          for (const c of mainContainers(workload)) {
            const name = typeof c.name === "string" ? c.name : "";
            if (container !== "" && container !== name) continue;
            if (c.resources?.requests?.[metric] == null) add("metricWithoutRequest", path, { metric, container: name });
          }
        }
      }
    }
    return out;
  },
};
