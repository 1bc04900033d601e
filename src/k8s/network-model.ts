/**
 * NetworkPolicy reachability model: which workloads may reach which, on which ports, per direction.
 * Output shape: docs/network-model.md.
 */
import type { K8sObject, Resource } from "../types.js";
import { list, nameOf, nsOf, rec } from "./manifest-fields.js";
import { ALL_PORTS, peerResolver, policyTypes, resolvePorts, type PeerResolver } from "./network-policy-rules.js";
import type { Endpoint, Flow, NetworkModel, PolicyNode, WorkloadNode } from "./network-types.js";
import { indexWorkloads, podsOf } from "./network-workloads.js";
import { maySelectPods, selectsAllPods, type LabelSelector } from "./selectors.js";

export type {
  ContainerPort,
  Direction,
  Endpoint,
  Flow,
  Isolation,
  NetworkModel,
  PeerType,
  PolicyNode,
  PortRange,
  WorkloadNode,
} from "./network-types.js";
export { workloadId } from "./network-workloads.js";
export { policyTypes, resolvePorts } from "./network-policy-rules.js";
export { canReach, rangesOverlap } from "./network-queries.js";

/** Adds the flows `policy` allows to and from the workloads it selects, marks them isolated, and returns its node. */
function addPolicyFlows(
  policy: K8sObject,
  byNamespace: ReadonlyMap<string, WorkloadNode[]>,
  resolvePeer: PeerResolver,
  add: ((flow: Flow) => void) | undefined,
): PolicyNode {
  const ns = nsOf(policy);
  const spec = rec(policy.spec);
  const id = `${ns}/${nameOf(policy)}`;
  const types = policyTypes(policy);
  const selector = rec(spec.podSelector) as LabelSelector;
  // Its rules apply to every workload it may select some pods of; it isolates only those it selects all pods of.
  const selected = (byNamespace.get(ns) ?? []).filter((w) => maySelectPods(selector, podsOf(w)));
  const node: PolicyNode = {
    id,
    namespace: ns,
    name: nameOf(policy),
    policyTypes: types,
    selects: selected.map((w) => w.id).sort(),
  };

  for (const direction of types) {
    const peerField = direction === "ingress" ? "from" : "to";
    const rules = (add === undefined ? [] : list(spec[direction])).map((rule) => {
      const r = rec(rule);
      const peers = list(r[peerField]);
      return {
        ports: r.ports,
        peers: peers.length === 0 ? [resolvePeer({}, ns)] : peers.map((p) => resolvePeer(p, ns)),
      };
    });
    for (const w of selected) {
      if (selectsAllPods(selector, podsOf(w))) {
        w[direction].isolated = true;
        w[direction].policies.push(id);
      }
      if (add === undefined) continue;
      const self: Endpoint = { type: "workload", id: w.id };
      rules.forEach(({ ports, peers }, rule) => {
        for (const { peer, external, workloads: matched } of peers) {
          const base = { direction, policy: id, rule, peer };
          if (direction === "ingress") {
            const resolved = resolvePorts(ports, w);
            if (external) add({ ...base, from: external, to: self, ports: resolved });
            for (const m of matched)
              add({
                ...base,
                from: { type: "workload", id: m.id },
                to: self,
                ports: resolved,
              });
          } else {
            if (external)
              add({
                ...base,
                from: self,
                to: external,
                ports: resolvePorts(ports, null),
              });
            for (const m of matched)
              add({
                ...base,
                from: self,
                to: { type: "workload", id: m.id },
                ports: resolvePorts(ports, m),
              });
          }
        }
      });
    }
  }
  return node;
}

/**
 * The reachability model of a set: its workloads, its NetworkPolicies and every flow they allow, each list
 * sorted. `withFlows: false` leaves `flows` empty (their number grows with policies × peers × workloads)
 * for a caller that reads only isolation and selections.
 */
export function buildNetworkModel(resources: readonly Resource[], { withFlows = true }: { withFlows?: boolean } = {}): NetworkModel {
  const objects = resources.map((r) => r.object);
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const index = indexWorkloads(objects, policies);
  const { workloads } = index;
  const resolvePeer = peerResolver(index);

  const flows = new Map<string, Flow>();
  const add = (flow: Flow) => {
    if (flow.ports.length > 0) flows.set(JSON.stringify(flow), flow);
  };
  const policyNodes = policies.map((policy) => addPolicyFlows(policy, index.byNamespace, resolvePeer, withFlows ? add : undefined));

  const unrestricted = { policy: null, rule: null, peer: "unrestricted" as const };
  for (const w of workloads) {
    const self: Endpoint = { type: "workload", id: w.id };
    if (withFlows && !w.ingress.isolated)
      add({ direction: "ingress", ...unrestricted, from: { type: "anything" }, to: self, ports: [ALL_PORTS] });
    if (withFlows && !w.egress.isolated)
      add({ direction: "egress", ...unrestricted, from: self, to: { type: "anything" }, ports: [ALL_PORTS] });
    w.ingress.policies = [...new Set(w.ingress.policies)].sort();
    w.egress.policies = [...new Set(w.egress.policies)].sort();
  }

  const byJson = <T>(items: T[]) =>
    items
      .map((item) => [JSON.stringify(item), item] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => item);
  for (const p of policyNodes) p.selects = [...new Set(p.selects)];
  // Each flow's JSON is its key in `flows` already.
  const sortedFlows = [...flows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, flow]) => flow);
  return { workloads: byJson(workloads), policies: byJson(policyNodes), flows: sortedFlows };
}
