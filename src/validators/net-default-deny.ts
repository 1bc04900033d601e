import type { K8sObject, Violation } from "../types.js";
import { list, rec } from "../k8s/manifest-fields.js";
import { policyTypes } from "../k8s/network-policy-rules.js";
import { selectsEverything } from "../k8s/network-peers.js";
import { isWorkload, refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

/** Selects every pod of its namespace (`{}` or `{matchLabels: {}}`), covers both directions and allows nothing. */
function isDefaultDeny(np: K8sObject): boolean {
  const spec = rec(np.spec);
  const types = policyTypes(np);
  return (
    selectsEverything(spec.podSelector ?? {}) &&
    types.includes("ingress") &&
    types.includes("egress") &&
    list(spec.ingress).length === 0 &&
    list(spec.egress).length === 0
  );
}

/** net-default-deny: every namespace holding a workload has a deny-all NetworkPolicy for both directions. */
export const netDefaultDeny: SetValidator = {
  id: "net-default-deny",
  scope: "set",
  validate(resources) {
    const withWorkloads = new Set<string>();
    const denied = new Set<string>();
    for (const { object } of resources) {
      if (isWorkload(object)) withWorkloads.add(refOf(object).namespace);
      if (object.kind === "NetworkPolicy" && isDefaultDeny(object)) denied.add(refOf(object).namespace);
    }
    const out: Violation[] = [];
    for (const namespace of [...withWorkloads].sort()) {
      if (denied.has(namespace)) continue;
      out.push({
        messageId: "namespaceWithoutDefaultDeny",
        data: { namespace },
        resource: {
          apiVersion: "v1",
          kind: "Namespace",
          namespace: "",
          name: namespace,
        },
      });
    }
    return out;
  },
};
