import type { Violation } from "../types.js";
import { cidrFamily, familiesCoveredByIpBlocks, ipBlockIsOpen } from "../k8s/cidr.js";
import { list, rec } from "../k8s/manifest-fields.js";
import { isEmptyPeer, portEntryCoversAllPorts, ruleAdmitsAllPeers, ruleCoversAllPorts, rulePeers } from "../k8s/network-peers.js";
import { selectorImpliesLabel } from "../k8s/selectors.js";
import { refOf } from "../k8s/workloads.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
import type { ObjectValidator } from "./types.js";

const DNS_PORT_NAMES = new Set(["dns", "dns-tcp"]);

/** A ports entry that allows port 53: 53 itself, a range holding it, a port named dns/dns-tcp, or no port at all. */
function isDnsPort(entry: unknown): boolean {
  const p = rec(entry);
  if (portEntryCoversAllPorts(p)) return true;
  if (typeof p.port === "string") return DNS_PORT_NAMES.has(p.port);
  return typeof p.port === "number" && p.port <= 53 && (typeof p.endPort === "number" ? p.endPort : p.port) >= 53;
}

const isSelector = (value: unknown): boolean => value !== null && typeof value === "object";

/** Only kube-dns pods of kube-system: every label set both selectors match carries those labels (matchLabels or expressions). */
function isKubeDnsPeer(peer: unknown): boolean {
  const p = rec(peer);
  return (
    (p.ipBlock === undefined || p.ipBlock === null) &&
    // A missing selector is not one that selects nothing: no namespaceSelector means the policy's namespace.
    isSelector(p.namespaceSelector) &&
    isSelector(p.podSelector) &&
    selectorImpliesLabel(p.namespaceSelector, "kubernetes.io/metadata.name", "kube-system") &&
    selectorImpliesLabel(p.podSelector, "k8s-app", "kube-dns")
  );
}

/** net-egress-allowlist: egress rules must name their destinations and ports (empty means all). */
export const netEgressAllowlist: ObjectValidator = {
  id: "net-egress-allowlist",
  scope: "object",
  validate(object) {
    if (object.kind !== "NetworkPolicy") return [];
    const resource = refOf(object);
    const policy = resource.name;
    const out: Violation[] = [];
    const add = (messageId: string, rule: number, at: FieldPath, extra: Record<string, string> = {}) =>
      out.push({ messageId, data: { policy, rule, ...extra }, resource, path: [...closestPath(object, ["spec", "egress", rule, ...at])] });
    const blocks: { rule: number; peer: number; family: 4 | 6; cidr: unknown; except: unknown }[] = [];
    const openFamilies = new Set<4 | 6>();
    list(rec(object.spec).egress).forEach((rule, i) => {
      const to = rulePeers(rule, "to");
      const ports = list(rec(rule).ports);
      // A rule without `to` (or `ports`) is to blame as a whole, else each peer (or entry) that opens everything.
      if (ruleAdmitsAllPeers(rule, "to")) add("egressWithoutTo", i, ["to"]);
      to.forEach((peer, j) => isEmptyPeer(peer) && add("egressWithoutTo", i, ["to", j]));
      if (ruleCoversAllPorts(rule)) add("egressWithoutPorts", i, ["ports"]);
      ports.forEach((entry, k) => portEntryCoversAllPorts(entry) && add("egressWithoutPorts", i, ["ports", k, "port"]));
      to.forEach((peer, j) => {
        const block = rec(rec(peer).ipBlock);
        const family = cidrFamily(block.cidr);
        if (family === null) return;
        blocks.push({ rule: i, peer: j, family, cidr: block.cidr, except: block.except });
        if (ipBlockIsOpen(block.cidr, block.except)) {
          add("egressOpenIpBlock", i, ["to", j, "ipBlock", "cidr"], { cidr: String(block.cidr) });
          openFamilies.add(family);
        }
      });
      if (ports.some(isDnsPort)) {
        if (to.length === 0) add("dnsNotKubeDns", i, ["to"]);
        to.forEach((peer, j) => !isKubeDnsPeer(peer) && add("dnsNotKubeDns", i, ["to", j]));
      }
    });
    // The ipBlocks of every egress rule are allowed together: their union, each minus its excepts, may be a whole family.
    const covered = familiesCoveredByIpBlocks(blocks, "subtract");
    for (const family of [4, 6] as const) {
      if (!covered.has(family) || openFamilies.has(family)) continue;
      const named = blocks.filter((b) => b.family === family);
      add("egressOpenIpBlockUnion", named[0]!.rule, ["to", named[0]!.peer, "ipBlock", "cidr"], {
        cidrs: named.map((b) => String(b.cidr)).join(", "),
        family: `IPv${family}`,
      });
    }
    return out;
  },
};
