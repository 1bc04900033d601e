import type { K8sObject, Violation } from "../types.js";
import { effectiveEnv, providedEnvKeys, type EnvSource } from "../k8s/env.js";
import { configTextsOf, distRanges, type ConfigTexts } from "../k8s/erlang-dist.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
import { nsOf, rec } from "../k8s/manifest-fields.js";
import { rangesOverlap, type WorkloadNode } from "../k8s/network-model.js";
import { rulePeers } from "../k8s/network-peers.js";
import { peerResolver, policyTypes, resolvePorts, type PeerResolver } from "../k8s/network-policy-rules.js";
import { indexWorkloads, podsOf, workloadId } from "../k8s/network-workloads.js";
import { mapSelectorMatches, maySelectPods, type LabelSelector } from "../k8s/selectors.js";
import { allContainers, isErlangNode, podLabels, refOf, type Container } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

type Rec = Record<string, any>;
const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

/**
 * EPMD plus the distribution listen range of each node container of a workload: the range its flags
 * (read in the VM's order, see orderedFlagText) and its mounted sys.config pin, else
 * `distPortMin`-`distPortMax` (either order).
 * The VM listens on none when the max is below the min; ports above 65535 do not exist.
 */
export function distPorts(
  obj: K8sObject,
  params: Rec,
  env: (c: Container) => ReadonlyMap<string, EnvSource>,
  texts: ConfigTexts,
): Set<number> {
  const a: number = params.distPortMin ?? 9100;
  const b: number = params.distPortMax ?? 9105;
  const ports = new Set([4369]);
  for (const { min, max } of distRanges(obj, env, texts, { min: Math.min(a, b), max: Math.max(a, b) }))
    for (let p = min; p <= Math.min(max, 65535); p++) ports.add(p);
  return ports;
}

function targets(sp: Rec, w: WorkloadNode, ports: Set<number>): boolean {
  const t = sp.targetPort ?? sp.port;
  if (typeof t === "number") return ports.has(t);
  return typeof t === "string" && w.ports.some((cp) => cp.name === t && ports.has(cp.port));
}

const PEER_MESSAGES = {
  any: "distIngressFromAnywhere",
  ipBlock: "distIngressFromIpBlock",
  namespaces: "distIngressFromNamespaceSelector",
  pods: "distIngressFromOtherPods",
} as const;

interface RuleProblem {
  messageId: string;
  rule: number;
  path: FieldPath;
}

/**
 * What the ingress rules of a NetworkPolicy that may select `w` and open one of `ports` on it let in:
 * a rule without `from` (its `from`), else each peer beyond `w` itself (the peer).
 */
function ruleProblems(policy: K8sObject, w: WorkloadNode, ports: Set<number>, resolvePeer: PeerResolver): RuleProblem[] {
  const spec = rec(policy.spec);
  if (nsOf(policy) !== w.namespace || !policyTypes(policy).includes("ingress")) return [];
  if (!maySelectPods(rec(spec.podSelector) as LabelSelector, podsOf(w))) return [];
  const out: RuleProblem[] = [];
  list(spec.ingress).forEach((rule, i) => {
    if (!rangesOverlap(resolvePorts(rec(rule).ports, w), ports)) return;
    const peers = rulePeers(rule, "from");
    if (peers.length === 0) out.push({ messageId: PEER_MESSAGES.any, rule: i, path: ["spec", "ingress", i, "from"] });
    peers.forEach((raw, j) => {
      const { peer, workloads } = resolvePeer(raw, w.namespace);
      if (peer === "unrestricted" || (peer === "pods" && !workloads.some((m) => m.id !== w.id))) return;
      out.push({ messageId: PEER_MESSAGES[peer], rule: i, path: ["spec", "ingress", i, "from", j] });
    });
  });
  return out;
}

/** [path, service backend] of each backend of an Ingress. */
function backends(ing: K8sObject): Array<[FieldPath, Rec]> {
  const spec = rec(ing.spec);
  const out: Array<[FieldPath, Rec]> = [];
  if (spec.defaultBackend?.service) out.push([["spec", "defaultBackend", "service"], spec.defaultBackend.service]);
  list(spec.rules).forEach((r, i) =>
    list(r?.http?.paths).forEach((p, j) => {
      if (p?.backend?.service) out.push([["spec", "rules", i, "http", "paths", j, "backend", "service"], p.backend.service]);
    }),
  );
  return out;
}

export const netErlangDistLockdown: SetValidator = {
  id: "net-erlang-dist-lockdown",
  scope: "set",
  validate(resources, params) {
    const objects = resources.map((r) => r.object);
    const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
    const services = ofKind("Service");
    const policies = ofKind("NetworkPolicy");
    const index = indexWorkloads(objects, policies);
    const nodes = new Map(index.workloads.map((w) => [w.id, w]));
    const resolvePeer = peerResolver(index);
    const texts = configTextsOf(objects);
    const keysOf = providedEnvKeys(objects);
    const out: Violation[] = [];
    // A violation about `object`: the field at `path` (cut back to its closest existing parent).
    const add = (messageId: string, object: K8sObject, data: Violation["data"], path: FieldPath) =>
      out.push({ messageId, data, resource: refOf(object), path: [...closestPath(object, path)] });

    for (const obj of objects) {
      if (!isErlangNode(obj)) continue;
      const w = nodes.get(workloadId(obj));
      if (!w) continue;
      const ref = refOf(obj);
      const ports = distPorts(obj, params, (c) => effectiveEnv(c, keysOf(ref.namespace)), texts);
      const selects = (svc: K8sObject) =>
        refOf(svc).namespace === ref.namespace && mapSelectorMatches((svc.spec as Rec)?.selector, podLabels(obj));
      const headless = (svc: K8sObject) => (svc.spec as Rec)?.clusterIP === "None";

      for (const policy of policies) {
        for (const { messageId, rule, path } of ruleProblems(policy, w, ports, resolvePeer))
          add(messageId, policy, { workload: ref.name, policy: refOf(policy).name, rule }, path);
      }
      for (const svc of services) {
        if (headless(svc) || !selects(svc)) continue;
        list((svc.spec as Rec)?.ports).forEach((sp, k) => {
          if (targets(sp, w, ports))
            add("distExposedByService", svc, { workload: ref.name, service: refOf(svc).name, port: sp.port }, ["spec", "ports", k]);
        });
      }
      for (const ing of ofKind("Ingress")) {
        if (refOf(ing).namespace !== ref.namespace) continue;
        for (const [path, b] of backends(ing)) {
          for (const svc of services) {
            if (refOf(svc).name !== b.name || !selects(svc)) continue;
            const hit = list((svc.spec as Rec)?.ports).some(
              (sp) =>
                ((b.port?.number !== undefined && b.port.number === sp.port) || (b.port?.name !== undefined && b.port.name === sp.name)) &&
                targets(sp, w, ports),
            );
            if (hit) add("distExposedByIngress", ing, { workload: ref.name, ingress: refOf(ing).name, service: b.name }, [...path, "port"]);
          }
        }
      }
      for (const { container, path } of allContainers(obj)) {
        list(container.ports).forEach((p, k) => {
          if (typeof p?.hostPort === "number" && p.hostPort > 0 && ports.has(p.containerPort)) {
            add("distHostPort", obj, { workload: ref.name, container: String(container.name ?? ""), port: p.containerPort }, [
              ...path,
              "ports",
              k,
              "hostPort",
            ]);
          }
        });
      }
      // No field of the workload is to blame (a headless Service is missing): the finding is about the object.
      if (!services.some((svc) => headless(svc) && selects(svc))) add("noHeadlessService", obj, { workload: ref.name }, []);
    }
    return out;
  },
};
