/**
 * The ingress rules of a set's NetworkPolicies, read once per evaluation: by namespace, each rule's
 * peers classified once (the workloads a pod peer matches do not depend on the workload a rule is
 * checked for), and the first peer of each kind kept. A control that asks "what does this rule let in
 * to workload w" for every workload of a namespace then costs one lookup per rule and workload, not one
 * peer resolution (a scan of the namespace's workloads) per peer, rule and workload.
 */
import type { K8sObject } from "../types.js";
import { list, nsOf, rec } from "./manifest-fields.js";
import { rulePeers } from "./network-peers.js";
import { policyTypes, type PeerResolver } from "./network-policy-rules.js";
import type { LabelSelector } from "./selectors.js";

/** A peer whose meaning does not depend on the workload the rule is checked for. */
export type FixedPeerKind = "any" | "ipBlock" | "namespaces";

export interface IngressRule {
  /** Index of the rule in `spec.ingress`. */
  index: number;
  /** Its `ports` as written. */
  ports: unknown;
  /** `from` missing, null or `[]`: every source. */
  admitsAll: boolean;
  /** The first peer (index in `from`) of each kind whose meaning does not depend on the workload, in peer order. */
  firstPeers: Array<{ kind: FixedPeerKind; index: number }>;
  /** Each pod peer (a podSelector alone) that may select a workload of the policy's namespace: its index and those workloads' ids. */
  podPeers: Array<{ index: number; workloadIds: ReadonlySet<string> }>;
}

export interface IngressPolicy {
  policy: K8sObject;
  /** The policy's podSelector (missing: every pod of its namespace). */
  podSelector: LabelSelector;
  rules: IngressRule[];
}

/** The NetworkPolicies of `policies` that isolate ingress, by namespace, in input order, their rules read once. */
export function ingressPoliciesByNamespace(policies: readonly K8sObject[], resolvePeer: PeerResolver): Map<string, IngressPolicy[]> {
  const out = new Map<string, IngressPolicy[]>();
  for (const policy of policies) {
    if (!policyTypes(policy).includes("ingress")) continue;
    const ns = nsOf(policy);
    const spec = rec(policy.spec);
    const rules = list(spec.ingress).map((rule, index): IngressRule => {
      const peers = rulePeers(rule, "from");
      const firstPeers: IngressRule["firstPeers"] = [];
      const podPeers: IngressRule["podPeers"] = [];
      peers.forEach((raw, j) => {
        const { peer, workloads } = resolvePeer(raw, ns);
        if (peer === "pods") {
          if (workloads.length) podPeers.push({ index: j, workloadIds: new Set(workloads.map((w) => w.id)) });
        } else if (peer !== "unrestricted" && !firstPeers.some((p) => p.kind === peer)) firstPeers.push({ kind: peer, index: j });
      });
      return { index, ports: rec(rule).ports, admitsAll: peers.length === 0, firstPeers, podPeers };
    });
    const entry = { policy, podSelector: rec(spec.podSelector) as LabelSelector, rules };
    const same = out.get(ns);
    if (same) same.push(entry);
    else out.set(ns, [entry]);
  }
  return out;
}

/** The index of the first pod peer of `rule` that may select a workload other than the one with id `workloadId`. */
export function firstPodPeerBeyond(rule: IngressRule, workloadId: string): number | undefined {
  return rule.podPeers.find((p) => p.workloadIds.size > 1 || !p.workloadIds.has(workloadId))?.index;
}
