/**
 * NetworkPolicy reachability model: which workloads may reach which, on which ports, per direction.
 * Output shape: docs/network-model.md.
 */
import type { K8sObject, Resource } from "../types.js";
import { labelSelectorMatches, type LabelSelector, type Labels } from "./selectors.js";
import { allContainers, isWorkload, podLabels } from "./workloads.js";

export type Direction = "ingress" | "egress";

/** A port range; `port`/`endPort` are null for a named port that could not be resolved (external peer). */
export interface PortRange {
  protocol: string;
  port: number | null;
  endPort: number | null;
  name: string | null;
}

export interface ContainerPort {
  name: string | null;
  port: number;
  protocol: string;
}

export interface Isolation {
  isolated: boolean;
  /** IDs (`namespace/name`) of the NetworkPolicies that select the workload for this direction. */
  policies: string[];
}

export interface WorkloadNode {
  /** `namespace/Kind/name` */
  id: string;
  namespace: string;
  kind: string;
  name: string;
  podLabels: Labels;
  ports: ContainerPort[];
  ingress: Isolation;
  egress: Isolation;
}

export interface PolicyNode {
  /** `namespace/name` */
  id: string;
  namespace: string;
  name: string;
  policyTypes: Direction[];
  /** IDs of the workloads its `podSelector` selects. */
  selects: string[];
}

export type Endpoint =
  | { type: "workload"; id: string }
  | { type: "anything" }
  | { type: "ipBlock"; cidr: string; except: string[] }
  | {
      type: "selector";
      namespaceSelector: LabelSelector;
      podSelector: LabelSelector | null;
      /** Namespaces known to the set whose labels match `namespaceSelector`. */
      namespaces: string[];
    };

/**
 * How the peer was written: `unrestricted` = no policy isolates this direction; `any` = rule without
 * peers or a peer without ipBlock/namespaceSelector/podSelector; `pods` = podSelector alone (policy namespace); `namespaces` = namespaceSelector
 * (with or without podSelector); `ipBlock`.
 */
export type PeerType = "unrestricted" | "any" | "pods" | "namespaces" | "ipBlock";

export interface Flow {
  direction: Direction;
  /** `namespace/name` of the NetworkPolicy, null for an unrestricted direction. */
  policy: string | null;
  rule: number | null;
  peer: PeerType;
  from: Endpoint;
  to: Endpoint;
  ports: PortRange[];
}

export interface NetworkModel {
  workloads: WorkloadNode[];
  policies: PolicyNode[];
  flows: Flow[];
}

const ALL_PORTS: PortRange = {
  protocol: "any",
  port: 1,
  endPort: 65535,
  name: null,
};
const NAME_LABEL = "kubernetes.io/metadata.name";

type Rec = Record<string, any>;
const rec = (value: unknown): Rec => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Rec) : {});
const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
const nsOf = (obj: K8sObject): string => (typeof obj.metadata?.namespace === "string" ? obj.metadata.namespace : "");
const nameOf = (obj: K8sObject): string => (typeof obj.metadata?.name === "string" ? obj.metadata.name : "");

export const workloadId = (obj: K8sObject): string => `${nsOf(obj)}/${obj.kind}/${nameOf(obj)}`;

/** Effective policyTypes: as written, else Ingress plus Egress when egress rules exist. */
export function policyTypes(policy: K8sObject): Direction[] {
  const spec = rec(policy.spec);
  if (Array.isArray(spec.policyTypes)) {
    return (["ingress", "egress"] as const).filter((d) => spec.policyTypes.includes(d === "ingress" ? "Ingress" : "Egress"));
  }
  return list(spec.egress).length > 0 ? ["ingress", "egress"] : ["ingress"];
}

function containerPorts(obj: K8sObject): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const { container } of allContainers(obj)) {
    for (const p of list(container.ports)) {
      if (typeof p?.containerPort !== "number") continue;
      out.push({
        name: typeof p.name === "string" ? p.name : null,
        port: p.containerPort,
        protocol: p.protocol ?? "TCP",
      });
    }
  }
  return out;
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

interface ResolvedPeer {
  peer: PeerType;
  /** Endpoint describing the peer beyond the workloads of the set (null when the set covers it). */
  external: Endpoint | null;
  workloads: WorkloadNode[];
}

export function buildNetworkModel(resources: readonly Resource[]): NetworkModel {
  const objects = resources.map((r) => r.object);
  const workloads: WorkloadNode[] = [];
  const byNamespace = new Map<string, WorkloadNode[]>();
  const namespaceLabels = new Map<string, Labels>();

  for (const obj of objects) {
    if (obj.kind === "Namespace")
      namespaceLabels.set(nameOf(obj), {
        ...(obj.metadata?.labels ?? {}),
        [NAME_LABEL]: nameOf(obj),
      });
  }
  for (const obj of objects) {
    if (!isWorkload(obj)) continue;
    const node: WorkloadNode = {
      id: workloadId(obj),
      namespace: nsOf(obj),
      kind: String(obj.kind),
      name: nameOf(obj),
      podLabels: podLabels(obj),
      ports: containerPorts(obj),
      ingress: { isolated: false, policies: [] },
      egress: { isolated: false, policies: [] },
    };
    workloads.push(node);
    const peers = byNamespace.get(node.namespace);
    if (peers) peers.push(node);
    else byNamespace.set(node.namespace, [node]);
  }
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  for (const ns of [...byNamespace.keys(), ...policies.map(nsOf)]) {
    if (!namespaceLabels.has(ns)) namespaceLabels.set(ns, { [NAME_LABEL]: ns });
  }

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

  const resolvePeer = (raw: unknown, policyNs: string): ResolvedPeer => {
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
    const matchPods = (w: WorkloadNode) => !podSelector || labelSelectorMatches(podSelector, w.podLabels);
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

  const flows = new Map<string, Flow>();
  const add = (flow: Flow) => {
    if (flow.ports.length > 0) flows.set(JSON.stringify(flow), flow);
  };
  const policyNodes: PolicyNode[] = [];

  for (const policy of policies) {
    const ns = nsOf(policy);
    const spec = rec(policy.spec);
    const id = `${ns}/${nameOf(policy)}`;
    const types = policyTypes(policy);
    const selector = rec(spec.podSelector) as LabelSelector;
    const selected = (byNamespace.get(ns) ?? []).filter((w) => labelSelectorMatches(selector, w.podLabels));
    policyNodes.push({
      id,
      namespace: ns,
      name: nameOf(policy),
      policyTypes: types,
      selects: selected.map((w) => w.id).sort(),
    });

    for (const direction of types) {
      const peerField = direction === "ingress" ? "from" : "to";
      const rules = list(spec[direction]).map((rule) => {
        const r = rec(rule);
        const peers = list(r[peerField]);
        return {
          ports: r.ports,
          peers: peers.length === 0 ? [resolvePeer({}, ns)] : peers.map((p) => resolvePeer(p, ns)),
        };
      });
      for (const w of selected) {
        w[direction].isolated = true;
        w[direction].policies.push(id);
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
  }

  const unrestricted = { policy: null, rule: null, peer: "unrestricted" as const };
  for (const w of workloads) {
    const self: Endpoint = { type: "workload", id: w.id };
    if (!w.ingress.isolated) add({ direction: "ingress", ...unrestricted, from: { type: "anything" }, to: self, ports: [ALL_PORTS] });
    if (!w.egress.isolated) add({ direction: "egress", ...unrestricted, from: self, to: { type: "anything" }, ports: [ALL_PORTS] });
    w.ingress.policies = [...new Set(w.ingress.policies)].sort();
    w.egress.policies = [...new Set(w.egress.policies)].sort();
  }

  const byJson = <T>(items: T[]) =>
    items
      .map((item) => [JSON.stringify(item), item] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => item);
  for (const p of policyNodes) p.selects = [...new Set(p.selects)];
  return { workloads: byJson(workloads), policies: byJson(policyNodes), flows: byJson([...flows.values()]) };
}

function portIncluded(ranges: readonly PortRange[], protocol: string, port: number, target: WorkloadNode | undefined): boolean {
  return ranges.some((r) => {
    if (r.protocol !== "any" && r.protocol !== protocol) return false;
    if (r.port !== null && r.endPort !== null) return port >= r.port && port <= r.endPort;
    return !!target?.ports.some((cp) => cp.name === r.name && cp.protocol === r.protocol && cp.port === port);
  });
}

function endpointIs(endpoint: Endpoint, id: string): boolean {
  return endpoint.type === "anything" || (endpoint.type === "workload" && endpoint.id === id);
}

/** Whether pods of workload `from` may open a connection to `to` on protocol/port (both directions' policies). */
export function canReach(model: NetworkModel, from: string, to: string, protocol: string, port: number): boolean {
  const target = model.workloads.find((w) => w.id === to);
  const allowed = (direction: Direction) =>
    model.flows.some(
      (f) => f.direction === direction && endpointIs(f.from, from) && endpointIs(f.to, to) && portIncluded(f.ports, protocol, port, target),
    );
  return allowed("egress") && allowed("ingress");
}

/** Whether any range of `ranges` (TCP or any protocol) overlaps the port set `ports`. */
export function rangesOverlap(ranges: readonly PortRange[], ports: ReadonlySet<number>, protocol = "TCP"): boolean {
  return ranges.some(
    (r) =>
      (r.protocol === "any" || r.protocol === protocol) &&
      r.port !== null &&
      r.endPort !== null &&
      [...ports].some((p) => p >= (r.port as number) && p <= (r.endPort as number)),
  );
}
