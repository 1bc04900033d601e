import type { Violation } from "../types.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

type Rec = Record<string, any>;

const OPEN_CIDRS = new Set(["0.0.0.0/0", "::/0"]);
const DNS_PORT_NAMES = new Set(["dns", "dns-tcp"]);
const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

function isDnsPort(p: Rec): boolean {
  if (typeof p?.port === "string") return DNS_PORT_NAMES.has(p.port);
  return typeof p?.port === "number" && p.port <= 53 && (p.endPort ?? p.port) >= 53;
}

function isKubeDnsPeer(peer: Rec): boolean {
  return (
    !peer?.ipBlock &&
    peer?.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "kube-system" &&
    peer?.podSelector?.matchLabels?.["k8s-app"] === "kube-dns"
  );
}

export const netEgressAllowlist: ObjectValidator = {
  id: "net-egress-allowlist",
  scope: "object",
  validate(object) {
    if (object.kind !== "NetworkPolicy") return [];
    const resource = refOf(object);
    const policy = resource.name;
    const out: Violation[] = [];
    const add = (messageId: string, rule: number, extra: Record<string, string> = {}) =>
      out.push({ messageId, data: { policy, rule, ...extra }, resource });
    list((object.spec as Rec)?.egress).forEach((rule: Rec, i) => {
      const to = list(rule?.to);
      const ports = list(rule?.ports);
      if (to.length === 0) add("egressWithoutTo", i);
      if (ports.length === 0) add("egressWithoutPorts", i);
      for (const peer of to) {
        const cidr = peer?.ipBlock?.cidr;
        if (OPEN_CIDRS.has(cidr) && list(peer.ipBlock.except).length === 0) add("egressOpenIpBlock", i, { cidr });
      }
      if (ports.some(isDnsPort) && !(to.length > 0 && to.every(isKubeDnsPeer))) add("dnsNotKubeDns", i);
    });
    return out;
  },
};
