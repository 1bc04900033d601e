import type { Violation } from "../types.js";
import { ipBlockIsWholeSpace } from "../k8s/cidr.js";
import { list, rec } from "../k8s/manifest-fields.js";
import { isAnyNamespacePeer, isEmptyPeer, ruleAdmitsAllPeers, rulePeers } from "../k8s/network-peers.js";
import { refOf } from "../k8s/workloads.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
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
    const add = (messageId: string, rule: number, at: FieldPath, extra: Record<string, string> = {}) =>
      out.push({ messageId, data: { policy, rule, ...extra }, resource, path: [...closestPath(object, ["spec", "ingress", rule, ...at])] });
    list(rec(object.spec).ingress).forEach((rule, i) => {
      if (ruleAdmitsAllPeers(rule, "from")) return add("ingressWithoutFrom", i, ["from"]);
      rulePeers(rule, "from").forEach((peer, j) => {
        if (isEmptyPeer(peer)) add("emptyPeer", i, ["from", j]);
        else if (isAnyNamespacePeer(peer)) add("anyNamespace", i, ["from", j, "namespaceSelector"]);
        const cidr = rec(rec(peer).ipBlock).cidr;
        if (ipBlockIsWholeSpace(cidr)) add("openIpBlock", i, ["from", j, "ipBlock", "cidr"], { cidr: String(cidr) });
      });
    });
    return out;
  },
};
