import type { Violation } from "../types.js";
import { ipBlockIsWholeSpace } from "../k8s/cidr.js";
import { list, rec } from "../k8s/manifest-fields.js";
import { isAnyNamespacePeer, isEmptyPeer, ruleAdmitsAllPeers, rulePeers } from "../k8s/network-peers.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

/** net-no-open-ingress: an ingress rule that admits every source, however it is written (docs/network-model.md). */
export const netNoOpenIngress: ObjectValidator = {
  id: "net-no-open-ingress",
  scope: "object",
  validate(object) {
    if (object.kind !== "NetworkPolicy") return [];
    const resource = refOf(object);
    const policy = resource.name;
    const out: Violation[] = [];
    const add = (messageId: string, rule: number, extra: Record<string, string> = {}) =>
      out.push({ messageId, data: { policy, rule, ...extra }, resource });
    list(rec(object.spec).ingress).forEach((rule, i) => {
      if (ruleAdmitsAllPeers(rule, "from")) return add("ingressWithoutFrom", i);
      for (const peer of rulePeers(rule, "from")) {
        if (isEmptyPeer(peer)) add("emptyPeer", i);
        else if (isAnyNamespacePeer(peer)) add("anyNamespace", i);
        const cidr = rec(rec(peer).ipBlock).cidr;
        if (ipBlockIsWholeSpace(cidr)) add("openIpBlock", i, { cidr: String(cidr) });
      }
    });
    return out;
  },
};
