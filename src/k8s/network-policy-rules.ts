/** Reads the rules of a NetworkPolicy: its effective policy types, the ports of a rule and the workloads a peer matches. */
import type { K8sObject } from "../types.js";
import { list, rec } from "./manifest-fields.js";
import type { Direction, Endpoint, PeerType, PortRange, WorkloadNode } from "./network-types.js";
import { podsOf, type WorkloadIndex } from "./network-workloads.js";
import { labelSelectorMatches, maySelectPods, type LabelSelector } from "./selectors.js";

/** Every port of every protocol: a rule without ports, and a direction no policy isolates. */
export const ALL_PORTS: PortRange = {
  protocol: "any",
  port: 1,
  endPort: 65535,
  name: null,
};

/** Effective policyTypes: as written, else (missing, null or `[]`, which the API server defaults) Ingress plus Egress when egress rules exist. */
export function policyTypes(policy: K8sObject): Direction[] {
  const spec = rec(policy.spec);
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) {
    return (["ingress", "egress"] as const).filter((d) => spec.policyTypes.includes(d === "ingress" ? "Ingress" : "Egress"));
  }
  return list(spec.egress).length > 0 ? ["ingress", "egress"] : ["ingress"];
}

/** Ports of a rule, named ports resolved against `target` (null: leave them named). */
export function resolvePorts(rulePorts: unknown, target: Pick<WorkloadNode, "ports"> | null): PortRange[] {
  const entries = list(rulePorts);
  if (entries.length === 0) return [ALL_PORTS];
  const out: PortRange[] = [];
  for (const entry of entries) {
    const p = rec(entry);
    const protocol = typeof p.protocol === "string" ? p.protocol : "TCP";
    if (p.port === undefined || p.port === null) out.push({ protocol, port: 1, endPort: 65535, name: null });
    else if (typeof p.port === "number") {
      out.push({
        protocol,
        port: p.port,
        endPort: typeof p.endPort === "number" ? p.endPort : p.port,
        name: null,
      });
    } else if (typeof p.port === "string") {
      if (!target) out.push({ protocol, port: null, endPort: null, name: p.port });
      else {
        for (const cp of target.ports) {
          if (cp.name === p.port && cp.protocol === protocol)
            out.push({
              protocol,
              port: cp.port,
              endPort: cp.port,
              name: p.port,
            });
        }
      }
    }
  }
  return out;
}

/** A peer of a rule: how it was written, what it names beyond the set, and the workloads of the set it matches. */
export interface ResolvedPeer {
  peer: PeerType;
  /** Endpoint describing the peer beyond the workloads of the set (null when the set covers it). */
  external: Endpoint | null;
  workloads: WorkloadNode[];
}

/** Resolves a peer of a rule; `policyNs` is the namespace of the policy (where a podSelector alone looks). */
export type PeerResolver = (raw: unknown, policyNs: string) => ResolvedPeer;

/** A peer resolver for the workloads and namespaces of one set. */
export function peerResolver({ byNamespace, namespaceLabels }: WorkloadIndex): PeerResolver {
  // Policies repeat the same namespace selectors: match each distinct one against the namespaces once.
  const selectorCache = new Map<string, string[]>();
  const namespacesMatching = (selector: LabelSelector): string[] => {
    const key = JSON.stringify(selector);
    let namespaces = selectorCache.get(key);
    if (!namespaces) {
      namespaces = [...namespaceLabels.entries()]
        .filter(([, labels]) => labelSelectorMatches(selector, labels))
        .map(([ns]) => ns)
        .sort();
      selectorCache.set(key, namespaces);
    }
    return namespaces;
  };

  return (raw, policyNs) => {
    const peer = rec(raw);
    if (!peer.ipBlock && !peer.namespaceSelector && !peer.podSelector)
      return { peer: "any", external: { type: "anything" }, workloads: [] };
    if (peer.ipBlock) {
      const ip = rec(peer.ipBlock);
      const except = list(ip.except).map(String).sort();
      return {
        peer: "ipBlock",
        external: { type: "ipBlock", cidr: String(ip.cidr ?? ""), except },
        workloads: [],
      };
    }
    const podSelector: LabelSelector | null = peer.podSelector ? rec(peer.podSelector) : null;
    // A peer allows traffic from or to a workload when it may select some of its pods.
    const matchPods = (w: WorkloadNode) => !podSelector || maySelectPods(podSelector, podsOf(w));
    if (peer.namespaceSelector) {
      const namespaceSelector = rec(peer.namespaceSelector) as LabelSelector;
      const namespaces = namespacesMatching(namespaceSelector);
      return {
        peer: "namespaces",
        external: {
          type: "selector",
          namespaceSelector,
          podSelector,
          namespaces,
        },
        workloads: namespaces.flatMap((ns) => byNamespace.get(ns) ?? []).filter(matchPods),
      };
    }
    return {
      peer: "pods",
      external: null,
      workloads: (byNamespace.get(policyNs) ?? []).filter(matchPods),
    };
  };
}
