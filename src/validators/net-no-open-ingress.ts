import type { Violation } from "../types.js";
import { cidrFamily, familiesCoveredByIpBlocks, ipBlockIsWholeSpace } from "../k8s/cidr.js";
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
    const blocks: { rule: number; peer: number; cidr: string }[] = [];
    const wholeSpaceFamilies = new Set<4 | 6>();
    list(rec(object.spec).ingress).forEach((rule, i) => {
      if (ruleAdmitsAllPeers(rule, "from")) return add("ingressWithoutFrom", i, ["from"]);
      rulePeers(rule, "from").forEach((peer, j) => {
        if (isEmptyPeer(peer)) add("emptyPeer", i, ["from", j]);
        else if (isAnyNamespacePeer(peer)) add("anyNamespace", i, ["from", j, "namespaceSelector"]);
        const cidr = rec(rec(peer).ipBlock).cidr;
        if (ipBlockIsWholeSpace(cidr)) {
          add("openIpBlock", i, ["from", j, "ipBlock", "cidr"], { cidr: String(cidr) });
          wholeSpaceFamilies.add(cidrFamily(cidr)!);
        } else if (cidrFamily(cidr) !== null) blocks.push({ rule: i, peer: j, cidr: String(cidr) });
      });
    });
    // The ipBlocks of every ingress rule are admitted together: their union may be a whole family without any /0.
    const open = familiesCoveredByIpBlocks(blocks, "ignore");
    for (const family of [4, 6] as const) {
      const named = blocks.filter((b) => cidrFamily(b.cidr) === family);
      if (!open.has(family) || wholeSpaceFamilies.has(family)) continue;
      add("openIpBlockUnion", named[0]!.rule, ["from", named[0]!.peer, "ipBlock", "cidr"], {
        cidrs: named.map((b) => b.cidr).join(", "),
        family: `IPv${family}`,
      });
    }
    return out;
  },
};
