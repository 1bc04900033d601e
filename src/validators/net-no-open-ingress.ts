import type { Violation } from "../types.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

const OPEN_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

export const netNoOpenIngress: ObjectValidator = {
  id: "net-no-open-ingress",
  scope: "object",
  validate(object) {
    if (object.kind !== "NetworkPolicy") return [];
    const spec = (object.spec ?? {}) as {
      ingress?: Array<{ from?: Array<Record<string, any>> }>;
    };
    const resource = refOf(object);
    const policy = resource.name;
    const out: Violation[] = [];
    const add = (messageId: string, rule: number, extra: Record<string, string> = {}) =>
      out.push({ messageId, data: { policy, rule, ...extra }, resource });
    (spec.ingress ?? []).forEach((rule, i) => {
      if (!rule?.from) return add("ingressWithoutFrom", i);
      for (const peer of rule.from) {
        if (Object.keys(peer ?? {}).length === 0) add("emptyPeer", i);
        else if (peer.namespaceSelector && Object.keys(peer.namespaceSelector).length === 0 && !peer.podSelector) add("anyNamespace", i);
        if (OPEN_CIDRS.has(peer?.ipBlock?.cidr)) add("openIpBlock", i, { cidr: peer.ipBlock.cidr });
      }
    });
    return out;
  },
};
