/** The shapes of the NetworkPolicy reachability model (docs/network-model.md). */
import type { LabelSelector, Labels } from "./selectors.js";

/** Direction of a connection as NetworkPolicy sees it: into the selected pods or out of them. */
export type Direction = "ingress" | "egress";

/** A port range; `port`/`endPort` are null for a named port that could not be resolved (external peer). */
export interface PortRange {
  protocol: string;
  port: number | null;
  endPort: number | null;
  name: string | null;
}

/** A port a container declares (`containerPort`), by name when it has one. */
export interface ContainerPort {
  name: string | null;
  port: number;
  protocol: string;
}

/** Whether NetworkPolicies isolate a workload in one direction, and which. */
export interface Isolation {
  isolated: boolean;
  /** IDs (`namespace/name`) of the NetworkPolicies that select every pod of the workload for this direction. */
  policies: string[];
}

/** A workload of the set: its pod labels, declared ports and isolation per direction. */
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

/** A NetworkPolicy of the set and the workloads it selects. */
export interface PolicyNode {
  /** `namespace/name` */
  id: string;
  namespace: string;
  name: string;
  policyTypes: Direction[];
  /** IDs of the workloads its `podSelector` may select some pods of (controller-added labels included). */
  selects: string[];
}

/** One end of a flow: a workload of the set, anything, an IP block, or pods by namespace selector. */
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

/** A connection a policy rule (or the absence of a policy) allows, with its ports. */
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

/** Every workload, policy and allowed flow of a set, each list in a stable order. */
export interface NetworkModel {
  workloads: WorkloadNode[];
  policies: PolicyNode[];
  flows: Flow[];
}
