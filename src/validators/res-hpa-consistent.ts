import type { K8sObject, Violation } from "../types.js";
import { maySelectPods } from "../k8s/selectors.js";
import { isErlangNode, isWorkload, mainContainers, podLabels, refOf, replicas } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

type Spec = Record<string, any>;

/** PDB `minAvailable` as a pod count: an int, or a percentage of the workload's replicas rounded up. */
function pdbMinAvailable(value: unknown, workload: K8sObject): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.endsWith("%")) {
    const percent = Number(value.slice(0, -1));
    return Number.isNaN(percent) ? undefined : Math.ceil((percent * replicas(workload)) / 100);
  }
  return undefined;
}

/** [resource name, container name or "" for every main container] the HPA computes utilisation from. */
function measured(spec: Spec): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of Array.isArray(spec.metrics) ? spec.metrics : []) {
    if (m?.type === "Resource" && m.resource?.name !== undefined) out.push([m.resource.name, ""]);
    if (m?.type === "ContainerResource" && m.containerResource?.name !== undefined)
      out.push([m.containerResource.name, m.containerResource.container]);
  }
  if (spec.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== false) out.push(["cpu", ""]);
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
      const add = (messageId: string, data: Violation["data"]) => out.push({ messageId, data, resource });
      const spec = (hpa.spec ?? {}) as Spec;
      const target = (spec.scaleTargetRef ?? {}) as Spec;
      const min: number = spec.minReplicas ?? 1;
      const max: number = spec.maxReplicas ?? 0;
      const targets = objects.filter(
        (w) => isWorkload(w) && w.kind === target.kind && refOf(w).name === target.name && refOf(w).namespace === resource.namespace,
      );
      if (targets.length === 0) add("targetMissing", { target: `${target.kind ?? ""}/${target.name ?? ""}` });
      if (max <= min) add("maxNotAboveMin", { min, max });
      for (const workload of targets) {
        for (const pdb of objects) {
          if (pdb.kind !== "PodDisruptionBudget" || refOf(pdb).namespace !== refOf(workload).namespace) continue;
          const pdbSpec = (pdb.spec ?? {}) as Spec;
          if (!maySelectPods(pdbSpec.selector, { kind: refOf(workload).kind, templateLabels: podLabels(workload) })) continue;
          const minAvailable = pdbMinAvailable(pdbSpec.minAvailable, workload);
          if (minAvailable !== undefined && min < minAvailable + 1) add("minBelowPdb", { min, pdb: refOf(pdb).name, minAvailable });
        }
        if (isErlangNode(workload) && min < minQuorum) add("minBelowQuorum", { min, quorum: minQuorum });
        for (const [metric, container] of measured(spec)) {
          for (const c of mainContainers(workload)) {
            const name = typeof c.name === "string" ? c.name : "";
            if (container !== "" && container !== name) continue;
            if (c.resources?.requests?.[metric] == null) add("metricWithoutRequest", { metric, container: name });
          }
        }
      }
    }
    return out;
  },
};
