import type { K8sObject, Violation } from "../types.js";
import { isWorkload, refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

type Rec = Record<string, any>;

function isDefaultDeny(np: K8sObject): boolean {
  const spec = (np.spec ?? {}) as Rec;
  const selector = (spec.podSelector ?? {}) as Rec;
  const types: unknown[] = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  const empty = (value: unknown) => !value || (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
  return (
    empty(selector.matchLabels) &&
    empty(selector.matchExpressions) &&
    types.includes("Ingress") &&
    types.includes("Egress") &&
    empty(spec.ingress) &&
    empty(spec.egress)
  );
}

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
