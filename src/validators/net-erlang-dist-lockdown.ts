import type { K8sObject, ResourceRef, Violation } from "../types.js";
import { buildNetworkModel, rangesOverlap, workloadId, type WorkloadNode } from "../k8s/network-model.js";
import { mapSelectorMatches } from "../k8s/selectors.js";
import { allContainers, isErlangNode, podLabels, refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

type Rec = Record<string, any>;
const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

function flagValues(obj: K8sObject, flag: string): number[] {
  const texts: string[] = [];
  for (const { container } of allContainers(obj)) {
    for (const e of list(container.env)) {
      if ((e?.name === "ERL_FLAGS" || e?.name === "ERL_AFLAGS") && typeof e.value === "string") texts.push(e.value);
    }
    texts.push(
      list(container.args)
        .filter((a) => typeof a === "string")
        .join(" "),
    );
  }
  const pattern = new RegExp(`${flag}\\s+(\\d+)`, "g");
  return texts.flatMap((t) => [...t.matchAll(pattern)].map((m) => Number(m[1])));
}

/** EPMD plus the distribution listen range of a workload. */
export function distPorts(obj: K8sObject, params: Rec): Set<number> {
  const mins = flagValues(obj, "inet_dist_listen_min");
  const maxs = flagValues(obj, "inet_dist_listen_max");
  const a = mins.length > 0 ? Math.min(...mins) : (params.distPortMin ?? 9100);
  const b = maxs.length > 0 ? Math.max(...maxs) : (params.distPortMax ?? 9105);
  const ports = new Set([4369]);
  for (let p = Math.min(a, b); p <= Math.max(a, b); p++) ports.add(p);
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

export const netErlangDistLockdown: SetValidator = {
  id: "net-erlang-dist-lockdown",
  scope: "set",
  validate(resources, params) {
    const model = buildNetworkModel(resources);
    const nodes = new Map(model.workloads.map((w) => [w.id, w]));
    const objects = resources.map((r) => r.object);
    const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
    const services = ofKind("Service");
    const policyRefs = new Map(ofKind("NetworkPolicy").map((np) => [`${refOf(np).namespace}/${refOf(np).name}`, refOf(np)]));
    const out: Violation[] = [];
    const add = (messageId: string, resource: ResourceRef, data: Violation["data"]) => out.push({ messageId, data, resource });

    for (const obj of objects) {
      if (!isErlangNode(obj)) continue;
      const w = nodes.get(workloadId(obj));
      if (!w) continue;
      const ref = refOf(obj);
      const ports = distPorts(obj, params);
      const selects = (svc: K8sObject) =>
        refOf(svc).namespace === ref.namespace && mapSelectorMatches((svc.spec as Rec)?.selector, podLabels(obj));
      const headless = (svc: K8sObject) => (svc.spec as Rec)?.clusterIP === "None";

      for (const f of model.flows) {
        if (f.direction !== "ingress" || f.policy === null || f.rule === null || f.peer === "unrestricted") continue;
        if (f.to.type !== "workload" || f.to.id !== w.id || !rangesOverlap(f.ports, ports)) continue;
        if (f.peer === "pods" && f.from.type === "workload" && f.from.id === w.id) continue;
        const policy = policyRefs.get(f.policy);
        if (policy)
          add(PEER_MESSAGES[f.peer], policy, {
            workload: ref.name,
            policy: policy.name,
            rule: f.rule,
          });
      }
      for (const svc of services) {
        if (headless(svc) || !selects(svc)) continue;
        for (const sp of list((svc.spec as Rec)?.ports)) {
          if (targets(sp, w, ports))
            add("distExposedByService", refOf(svc), {
              workload: ref.name,
              service: refOf(svc).name,
              port: sp.port,
            });
        }
      }
      for (const ing of ofKind("Ingress")) {
        if (refOf(ing).namespace !== ref.namespace) continue;
        const spec = (ing.spec ?? {}) as Rec;
        const backends = [
          spec.defaultBackend?.service,
          ...list(spec.rules).flatMap((r) => list(r?.http?.paths).map((p) => p?.backend?.service)),
        ];
        for (const b of backends.filter(Boolean)) {
          for (const svc of services) {
            if (refOf(svc).name !== b.name || !selects(svc)) continue;
            const hit = list((svc.spec as Rec)?.ports).some(
              (sp) =>
                ((b.port?.number !== undefined && b.port.number === sp.port) || (b.port?.name !== undefined && b.port.name === sp.name)) &&
                targets(sp, w, ports),
            );
            if (hit)
              add("distExposedByIngress", refOf(ing), {
                workload: ref.name,
                ingress: refOf(ing).name,
                service: b.name,
              });
          }
        }
      }
      for (const { container } of allContainers(obj)) {
        for (const p of list(container.ports)) {
          if (typeof p?.hostPort === "number" && p.hostPort > 0 && ports.has(p.containerPort)) {
            add("distHostPort", ref, {
              workload: ref.name,
              container: String(container.name ?? ""),
              port: p.containerPort,
            });
          }
        }
      }
      if (!services.some((svc) => headless(svc) && selects(svc))) add("noHeadlessService", ref, { workload: ref.name });
    }
    return out;
  },
};
