import type { Violation } from "../types.js";
import { buildNetworkModel } from "../k8s/network-model.js";
import { refOf } from "../k8s/workloads.js";
import { closestPath } from "../k8s/field-path.js";
import type { SetValidator } from "./types.js";

export const netWorkloadIsolated: SetValidator = {
  id: "net-workload-isolated",
  scope: "set",
  validate(resources) {
    const model = buildNetworkModel(resources, { withFlows: false });
    const refs = new Map(resources.map(({ object }) => [`${refOf(object).namespace}/${object.kind}/${refOf(object).name}`, refOf(object)]));
    const objects = new Map(
      resources
        .filter(({ object }) => object.kind === "NetworkPolicy")
        .map(({ object }) => [`${refOf(object).namespace}/${refOf(object).name}`, object]),
    );
    const out: Violation[] = [];
    for (const w of model.workloads) {
      const resource = refs.get(w.id);
      if (!resource) continue;
      // No field of the workload is to blame (a NetworkPolicy is missing): the finding is about the object.
      const data = { workload: w.name, kind: w.kind, namespace: w.namespace };
      if (!w.ingress.isolated) out.push({ messageId: "ingressNotIsolated", data, resource });
      if (!w.egress.isolated) out.push({ messageId: "egressNotIsolated", data, resource });
    }
    for (const p of model.policies) {
      const resource = refs.get(`${p.namespace}/NetworkPolicy/${p.name}`);
      if (resource && p.selects.length === 0)
        out.push({
          messageId: "danglingPolicy",
          data: { policy: p.name, namespace: p.namespace },
          resource,
          path: [...closestPath(objects.get(p.id), ["spec", "podSelector"])],
        });
    }
    return out;
  },
};
