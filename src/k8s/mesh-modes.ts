/**
 * The mTLS mode Istio enforces on a container port, read off the PeerAuthentications of a set of
 * objects with Istio's precedence, for the pods it governs: those with a sidecar (src/k8s/istio-injection.ts)
 * that are not gateways (mirrors the mode and mesh sections of policies/net-mesh-edge-coherent/policy.rego).
 */
import type { K8sObject } from "../types.js";
import {
  ABSENT_NAMESPACE_INJECTING,
  injectionSubject,
  namespaceLabelIndex,
  namespaceLabels,
  sidecarInjectedBy,
} from "./istio-injection.js";
import { nameOf, nsOf, rec } from "./manifest-fields.js";
import { selectsAllPods, type Labels, type PodsOf } from "./selectors.js";
import { podLabels, podTemplate } from "./workloads.js";

/** Istio's mesh root namespace unless the control's parameter says otherwise. */
export const DEFAULT_ROOT_NAMESPACE = "istio-system";
const DEFAULT_OUTCOME: Outcome = ["PERMISSIVE", ""];

/** A mode a policy gives a port, and the policy (`namespace/name`; "" for Istio's default). */
type Outcome = readonly [mode: string, policy: string];

/** The pods a workload creates, as the selector helpers read them. */
export const podsOf = (w: K8sObject): PodsOf => ({ kind: String(w.kind), templateLabels: podLabels(w) });
const paRef = (pa: K8sObject): string => `${nsOf(pa)}/${nameOf(pa)}`;
/** A mode that decides; UNSET or a missing mode inherits from the level above. */
const deciding = (mode: unknown): mode is string => typeof mode === "string" && mode !== "UNSET";
const union = (sets: Iterable<Outcome[]>): Outcome[] => [...new Map([...sets].flat().map((o) => [JSON.stringify(o), o])).values()];

/** `count` as Rego reads it; undefined for a value it cannot count. */
export function size(value: unknown): number | undefined {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === "object") return Object.keys(value).length;
  return undefined;
}

/** Objects by namespace, in the order of the set. */
export function byNamespace(objects: readonly K8sObject[]): Map<string, K8sObject[]> {
  const out = new Map<string, K8sObject[]>();
  for (const obj of objects) {
    const peers = out.get(nsOf(obj));
    if (peers) peers.push(obj);
    else out.set(nsOf(obj), [obj]);
  }
  return out;
}

/** Istio's precedence of PeerAuthentication, over the PeerAuthentications of a set of objects: workload-level, then namespace-wide, then mesh-wide. */
export class MeshModes {
  private readonly policiesIn: Map<string, K8sObject[]>;
  private readonly meshOutcomes: Outcome[];
  private readonly namespaceLabels: ReadonlyMap<string, Labels[]>;
  /** strictBy's answers by workload and port: a set's clients reach the same ports many times. */
  private readonly verdicts = new Map<K8sObject, Map<number, string | undefined>>();

  constructor(
    objects: readonly K8sObject[],
    private readonly rootNamespace: string,
  ) {
    this.policiesIn = byNamespace(
      objects.filter((pa) => pa.kind === "PeerAuthentication" && String(pa.apiVersion ?? "").startsWith("security.istio.io/")),
    );
    this.meshOutcomes = this.levelOutcomes(this.namespaceWide(rootNamespace), [DEFAULT_OUTCOME]);
    this.namespaceLabels = namespaceLabelIndex(objects);
  }

  private static matchLabels(pa: K8sObject): unknown {
    return rec(pa.spec).selector?.matchLabels ?? {};
  }

  private static hasSelector(pa: K8sObject): boolean {
    return (size(MeshModes.matchLabels(pa)) ?? 0) > 0;
  }

  private namespaceWide(ns: string): K8sObject[] {
    return (this.policiesIn.get(ns) ?? []).filter((pa) => !MeshModes.hasSelector(pa));
  }

  private levelOutcomes(policies: readonly K8sObject[], inherited: Outcome[]): Outcome[] {
    if (policies.length === 0) return inherited;
    return union(policies.map((pa) => this.ownOr(pa, rec(pa.spec).mtls?.mode, inherited)));
  }

  private ownOr(pa: K8sObject, mode: unknown, inherited: Outcome[]): Outcome[] {
    return deciding(mode) ? [[mode, paRef(pa)]] : inherited;
  }

  private namespaceOutcomes(ns: string): Outcome[] {
    return ns === this.rootNamespace ? this.meshOutcomes : this.levelOutcomes(this.namespaceWide(ns), this.meshOutcomes);
  }

  /** portLevelMtls keys are container port numbers; Istio reads them only in a policy with a selector. */
  private static portLevelMode(pa: K8sObject, port: number): unknown {
    for (const [key, setting] of Object.entries(rec(rec(pa.spec).portLevelMtls)))
      if (key === String(Math.trunc(port)) && setting !== null && typeof setting === "object" && !Array.isArray(setting))
        return setting.mode;
    return undefined;
  }

  private portOutcomes(w: K8sObject, port: number): Outcome[] {
    // Istio ignores a policy with a selector in the root namespace.
    const candidates = nsOf(w) === this.rootNamespace ? [] : (this.policiesIn.get(nsOf(w)) ?? []);
    const workloadLevel = candidates.filter(
      (pa) => MeshModes.hasSelector(pa) && selectsAllPods({ matchLabels: MeshModes.matchLabels(pa) }, podsOf(w)),
    );
    if (workloadLevel.length === 0) return this.namespaceOutcomes(nsOf(w));
    return union(
      workloadLevel.map((pa) => {
        const mode = MeshModes.portLevelMode(pa, port);
        return deciding(mode) ? [[mode, paRef(pa)] as const] : this.ownOr(pa, rec(pa.spec).mtls?.mode, this.namespaceOutcomes(nsOf(pa)));
      }),
    );
  }

  /**
   * A pod with a sidecar whose inbound PeerAuthentication governs: injected (a namespace without its
   * object in the set counts as labelled istio-injection=enabled) and not an Istio gateway.
   */
  private inMesh(w: K8sObject): boolean {
    const namespace = nsOf(w);
    const subject = injectionSubject(podTemplate(w), namespace);
    if (sidecarInjectedBy(subject, namespaceLabels(this.namespaceLabels, namespace, ABSENT_NAMESPACE_INJECTING)) === undefined)
      return false;
    return !isIstioGateway(w);
  }

  /** The policies that make the port STRICT when every possible outcome is STRICT (Istio keeps the oldest of several). */
  strictBy(w: K8sObject, port: number): string | undefined {
    let ports = this.verdicts.get(w);
    if (ports === undefined) this.verdicts.set(w, (ports = new Map()));
    if (!ports.has(port)) ports.set(port, this.verdict(w, port));
    return ports.get(port);
  }

  private verdict(w: K8sObject, port: number): string | undefined {
    if (!this.inMesh(w)) return undefined;
    const outcomes = this.portOutcomes(w, port);
    if (!outcomes.every(([mode]) => mode === "STRICT")) return undefined;
    return [...new Set(outcomes.map(([, policy]) => policy))].sort().join(", ");
  }
}

/** An Istio gateway: its proxy is the pod itself, not a sidecar in front of it (a label of any value type marks it managed). */
function isIstioGateway(w: K8sObject): boolean {
  const labels = podLabels(w);
  if (labels.istio === "ingressgateway" || labels.istio === "egressgateway") return true;
  if (Object.prototype.hasOwnProperty.call(labels, "gateway.istio.io/managed")) return true;
  const templates = rec(podTemplate(w)?.metadata?.annotations)["inject.istio.io/templates"];
  return typeof templates === "string" && templates.includes("gateway");
}
