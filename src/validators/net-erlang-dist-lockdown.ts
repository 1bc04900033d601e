import type { K8sObject, Violation } from "../types.js";
import { resourceKey } from "../k8s/resource-key.js";
import { stableJson } from "../tools/stable-json.js";
import { effectiveEnv, providedEnvKeys, type EnvSource } from "../k8s/env.js";
import { configTextsOf, distRanges, type ConfigTexts } from "../k8s/erlang-dist.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
import { nsOf, rec } from "../k8s/manifest-fields.js";
import { firstPodPeerBeyond, ingressPoliciesByNamespace, type IngressPolicy } from "../k8s/network-ingress-rules.js";
import { rangesOverlap, type WorkloadNode } from "../k8s/network-model.js";
import { peerResolver, resolvePorts } from "../k8s/network-policy-rules.js";
import { indexWorkloads, podsOf, workloadId } from "../k8s/network-workloads.js";
import { mapSelectorMatches, maySelectPods } from "../k8s/selectors.js";
import { allContainers, isErlangNode, podLabels, refOf, type Container } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

type Rec = Record<string, any>;
const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

/**
 * EPMD plus the distribution listen ranges of each node container of a workload: every range its init
 * flags (each reading of its command line, see flagReadings and distListenRanges) and its mounted sys.config
 * may pin, else `distPortMin`-`distPortMax` (either order). A range the VM may listen on is one the
 * NetworkPolicies must guard (fail-safe).
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
 * What the ingress rules of the NetworkPolicies of `w`'s namespace (read once, see
 * ingressPoliciesByNamespace) that may select `w` and open one of `ports` on it let in: a rule without
 * `from` (its `from`), else each kind of peer beyond `w` itself, once per rule at its first peer of that
 * kind (a rule of 256 ipBlocks is one problem, not 256).
 */
function ruleProblems(policies: readonly IngressPolicy[], w: WorkloadNode, ports: Set<number>): Array<RuleProblem & { policy: K8sObject }> {
  const out: Array<RuleProblem & { policy: K8sObject }> = [];
  for (const { policy, podSelector, rules } of policies) {
    if (!maySelectPods(podSelector, podsOf(w))) continue;
    for (const rule of rules) {
      if (!rangesOverlap(resolvePorts(rule.ports, w), ports)) continue;
      const i = rule.index;
      if (rule.admitsAll) out.push({ policy, messageId: PEER_MESSAGES.any, rule: i, path: ["spec", "ingress", i, "from"] });
      const found: Array<[string, number]> = rule.firstPeers.map(({ kind, index }) => [PEER_MESSAGES[kind], index]);
      const pods = firstPodPeerBeyond(rule, w.id);
      if (pods !== undefined) found.push([PEER_MESSAGES.pods, pods]);
      for (const [messageId, j] of found.sort((a, b) => a[1] - b[1]))
        out.push({ policy, messageId, rule: i, path: ["spec", "ingress", i, "from", j] });
    }
  }
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

/** Items by key, in input order. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const same = out.get(key);
    if (same) same.push(item);
    else out.set(key, [item]);
  }
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
    const ingressPolicies = ingressPoliciesByNamespace(policies, peerResolver(index));
    const texts = configTextsOf(objects);
    const keysOf = providedEnvKeys(objects);
    // Services and Ingresses by namespace, read once (not once per workload).
    const servicesIn = groupBy(
      services.map((svc) => ({
        svc,
        name: refOf(svc).name,
        headless: (svc.spec as Rec)?.clusterIP === "None",
        ports: list((svc.spec as Rec)?.ports),
      })),
      (s) => nsOf(s.svc),
    );
    const ingressesIn = groupBy(
      ofKind("Ingress").map((ing) => ({ ing, name: refOf(ing).name, backends: backends(ing) })),
      (i) => nsOf(i.ing),
    );
    const out: Violation[] = [];
    // Copies of a workload (same name, as in a set gathered from many files) find the same problems:
    // each violation is reported once, as the Rego policy's set of violations holds it once.
    const reported = new Set<string>();
    // A violation about `object`: the field at `path` (cut back to its closest existing parent).
    const add = (messageId: string, object: K8sObject, data: Violation["data"], path: FieldPath) => {
      const v: Violation = { messageId, data, resource: refOf(object), path: [...closestPath(object, path)] };
      const key = [resourceKey(v.resource), messageId, stableJson(data), stableJson(v.path)].join("\u0000");
      if (reported.has(key)) return;
      reported.add(key);
      out.push(v);
    };

    // Each distinct Erlang node object once: identical copies (as in a set gathered from many files) have the same findings.
    const seen = new Set<string>();
    for (const obj of objects) {
      if (!isErlangNode(obj)) continue;
      const text = JSON.stringify(obj);
      if (seen.has(text)) continue;
      seen.add(text);
      const w = nodes.get(workloadId(obj));
      if (!w) continue;
      const ref = refOf(obj);
      const ports = distPorts(obj, params, (c) => effectiveEnv(c, keysOf(ref.namespace)), texts);
      // The Services of its namespace that select its pods (headless or not).
      const labels = podLabels(obj);
      const selecting = (servicesIn.get(ref.namespace) ?? []).filter((s) => mapSelectorMatches((s.svc.spec as Rec)?.selector, labels));
      const selectingNamed = groupBy(selecting, (s) => s.name);

      for (const { policy, messageId, rule, path } of ruleProblems(ingressPolicies.get(w.namespace) ?? [], w, ports))
        add(messageId, policy, { workload: ref.name, policy: refOf(policy).name, rule }, path);
      for (const { svc, name, headless, ports: servicePorts } of selecting) {
        if (headless) continue;
        servicePorts.forEach((sp, k) => {
          if (targets(sp, w, ports))
            add("distExposedByService", svc, { workload: ref.name, service: name, port: sp.port }, ["spec", "ports", k]);
        });
      }
      for (const { ing, name: ingress, backends: routes } of ingressesIn.get(ref.namespace) ?? []) {
        for (const [path, b] of routes) {
          for (const { ports: servicePorts } of selectingNamed.get(b.name) ?? []) {
            const hit = servicePorts.some(
              (sp) =>
                ((b.port?.number !== undefined && b.port.number === sp.port) || (b.port?.name !== undefined && b.port.name === sp.name)) &&
                targets(sp, w, ports),
            );
            if (hit) add("distExposedByIngress", ing, { workload: ref.name, ingress, service: b.name }, [...path, "port"]);
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
      if (!selecting.some((s) => s.headless)) add("noHeadlessService", obj, { workload: ref.name }, []);
    }
    return out;
  },
};
