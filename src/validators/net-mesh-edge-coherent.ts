import type { K8sObject, Violation } from "../types.js";
import { list, nameOf, nsOf, rec } from "../k8s/manifest-fields.js";
import { labelSelectorMatches, mapSelectorMatches, maySelectPods, selectsAllPods, type PodsOf } from "../k8s/selectors.js";
import { allContainers, isWorkload, podLabels, podSpec, podTemplate, refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const DEFAULT_ROOT_NAMESPACE = "istio-system";
const DEFAULT_CERT_DIRS = ["/etc/prom-certs/", "/etc/istio-certs/"];
const DEFAULT_OUTCOME: Outcome = ["PERMISSIVE", ""];

/** A mode a policy gives a port, and the policy (`namespace/name`; "" for Istio's default). */
type Outcome = readonly [mode: string, policy: string];

const podsOf = (w: K8sObject): PodsOf => ({ kind: String(w.kind), templateLabels: podLabels(w) });
const workloadName = (w: K8sObject): string => `${String(w.kind)}/${nameOf(w)}`;
const paRef = (pa: K8sObject): string => `${nsOf(pa)}/${nameOf(pa)}`;
/** A mode that decides; UNSET or a missing mode inherits from the level above. */
const deciding = (mode: unknown): mode is string => typeof mode === "string" && mode !== "UNSET";
const isObject = (value: unknown): boolean => value !== null && typeof value === "object" && !Array.isArray(value);
const union = (sets: Iterable<Outcome[]>): Outcome[] => [...new Map([...sets].flat().map((o) => [JSON.stringify(o), o])).values()];

/** `count` as Rego reads it; undefined for a value it cannot count. */
function size(value: unknown): number | undefined {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === "object") return Object.keys(value).length;
  return undefined;
}

/** Objects by namespace, in the order of the set. */
function byNamespace(objects: readonly K8sObject[]): Map<string, K8sObject[]> {
  const out = new Map<string, K8sObject[]>();
  for (const obj of objects) {
    const peers = out.get(nsOf(obj));
    if (peers) peers.push(obj);
    else out.set(nsOf(obj), [obj]);
  }
  return out;
}

/** Istio's precedence of PeerAuthentication: workload-level, then namespace-wide, then mesh-wide. */
class MeshModes {
  private readonly policiesIn: Map<string, K8sObject[]>;
  private readonly meshOutcomes: Outcome[];

  constructor(
    objects: readonly K8sObject[],
    private readonly rootNamespace: string,
  ) {
    this.policiesIn = byNamespace(
      objects.filter((pa) => pa.kind === "PeerAuthentication" && String(pa.apiVersion ?? "").startsWith("security.istio.io/")),
    );
    this.meshOutcomes = this.levelOutcomes(this.namespaceWide(rootNamespace), [DEFAULT_OUTCOME]);
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

  /** The policies that make the port STRICT when every possible outcome is STRICT (Istio keeps the oldest of several). */
  strictBy(w: K8sObject, port: number): string | undefined {
    if (!inMesh(w)) return undefined;
    const outcomes = this.portOutcomes(w, port);
    if (!outcomes.every(([mode]) => mode === "STRICT")) return undefined;
    return [...new Set(outcomes.map(([, policy]) => policy))].sort().join(", ");
  }
}

/** A pod with a sidecar whose inbound PeerAuthentication governs: not opted out, not on the host network, not an Istio gateway. */
function inMesh(w: K8sObject): boolean {
  const labels = podLabels(w);
  const annotations = rec(podTemplate(w)?.metadata?.annotations);
  if (labels["sidecar.istio.io/inject"] === "false" || annotations["sidecar.istio.io/inject"] === "false") return false;
  if (podSpec(w).hostNetwork === true) return false; // Istio's injector skips pods on the host network.
  if (labels.istio === "ingressgateway" || labels.istio === "egressgateway") return false;
  if (Object.prototype.hasOwnProperty.call(labels, "gateway.istio.io/managed")) return false;
  const templates = annotations["inject.istio.io/templates"];
  return !(typeof templates === "string" && templates.includes("gateway"));
}

/** Container port numbers of w named `name` for TCP (mirrors lib.net named_port). */
function namedPorts(w: K8sObject, name: string): number[] {
  const out: number[] = [];
  for (const { container } of allContainers(w))
    for (const p of list(container.ports))
      if (typeof p?.containerPort === "number" && p.name === name && (p.protocol ?? "TCP") === "TCP") out.push(p.containerPort);
  return out;
}

function resolvePort(port: unknown, w: K8sObject): number[] {
  if (typeof port === "number") return [port];
  return typeof port === "string" ? namedPorts(w, port) : [];
}

/** The container ports a Service port reaches on w: its targetPort (unset = port); TCP only. */
function targetPorts(sp: any, w: K8sObject): number[] {
  if ((sp?.protocol ?? "TCP") !== "TCP") return [];
  return resolvePort(sp?.targetPort ?? sp?.port, w);
}

function servicePortLabel(sp: any): string {
  if (typeof sp?.name === "string" && sp.name !== "") return sp.name;
  return typeof sp?.port === "number" ? String(Math.trunc(sp.port)) : "";
}

function ingressClass(ing: K8sObject, classes: readonly K8sObject[]): string {
  const spec = rec(ing.spec);
  if (typeof spec.ingressClassName === "string") return spec.ingressClassName;
  const annotated = rec(ing.metadata?.annotations)["kubernetes.io/ingress.class"];
  if (typeof annotated === "string") return annotated;
  const defaults = classes
    .filter((c) => rec(c.metadata?.annotations)["ingressclass.kubernetes.io/is-default-class"] === "true")
    .map(nameOf)
    .sort();
  return defaults[0] ?? "";
}

function isIstioIngress(cls: string, classes: readonly K8sObject[]): boolean {
  if (classes.some((c) => nameOf(c) === cls && rec(c.spec).controller === "istio.io/ingress-controller")) return true;
  return cls === "istio" && !classes.some((c) => nameOf(c) === "istio");
}

/** `defaultBackend` and every rule path's backend, with their paths. */
function ingressBackends(ing: K8sObject): Array<[Array<string | number>, unknown]> {
  const spec = rec(ing.spec);
  const out: Array<[Array<string | number>, unknown]> = [];
  if (spec.defaultBackend !== undefined) out.push([["spec", "defaultBackend"], spec.defaultBackend]);
  list(spec.rules).forEach((rule, i) =>
    list(rec(rec(rule).http).paths).forEach((p, j) => out.push([["spec", "rules", i, "http", "paths", j, "backend"], rec(p).backend])),
  );
  return out;
}

function backendNamesPort(ref: any, sp: any): boolean {
  return (typeof ref?.number === "number" && ref.number === sp?.port) || (typeof ref?.name === "string" && ref.name === sp?.name);
}

/** The objects of index in the namespaces a monitor covers: `any: true`, its `matchNames`, else its own namespace. */
function coveredBy(monitor: K8sObject, index: Map<string, K8sObject[]>): K8sObject[] {
  const selector = rec(rec(monitor.spec).namespaceSelector);
  if (selector.any === true) return [...index.values()].flat();
  // A non-empty matchNames that is not a list names no namespace (as Rego iterates it).
  const namespaces = (size(selector.matchNames) ?? 0) > 0 ? [...new Set(list(selector.matchNames))] : [nsOf(monitor)];
  return namespaces.flatMap((ns) => (typeof ns === "string" ? (index.get(ns) ?? []) : []));
}

function schemeHttps(ep: any): boolean {
  return typeof ep?.scheme === "string" && ep.scheme.toLowerCase() === "https";
}

/** Istio's client certificate: files from an Istio certificate directory, or a certificate and key from Secrets. */
function meshTls(ep: any, certDirs: readonly string[]): boolean {
  if (!schemeHttps(ep)) return false;
  const cfg = rec(ep.tlsConfig);
  const istioFile = (f: unknown) => typeof f === "string" && certDirs.some((dir) => f.startsWith(dir));
  if (istioFile(cfg.certFile) && istioFile(cfg.keyFile)) return true;
  return isObject(cfg.cert) && isObject(cfg.keySecret);
}

/**
 * net-mesh-edge-coherent: a container port where Istio enforces STRICT mTLS reached by a client outside the
 * mesh (a LoadBalancer/NodePort Service, a non-Istio Ingress, a Prometheus scrape without Istio's client
 * certificate). Mirrors policies/net-mesh-edge-coherent/policy.rego finding for finding, path for path.
 */
export const netMeshEdgeCoherent: SetValidator = {
  id: "net-mesh-edge-coherent",
  scope: "set",
  validate(resources, params) {
    const rootNamespace = typeof params.meshRootNamespace === "string" ? params.meshRootNamespace : DEFAULT_ROOT_NAMESPACE;
    const certDirs: string[] = Array.isArray(params.istioCertDirs) ? params.istioCertDirs : DEFAULT_CERT_DIRS;
    const objects = resources.map((r) => r.object);
    const modes = new MeshModes(objects, rootNamespace);
    const workloads = objects.filter(isWorkload);
    const services = objects.filter((o) => o.kind === "Service");
    const classes = objects.filter((o) => o.kind === "IngressClass");
    const workloadsIn = byNamespace(workloads);
    const servicesIn = byNamespace(services);
    const selected = (svc: K8sObject) =>
      (workloadsIn.get(nsOf(svc)) ?? []).filter((w) => mapSelectorMatches(rec(svc.spec).selector ?? {}, podLabels(w)));

    const found = new Map<string, Violation>();
    const report = (obj: K8sObject, messageId: string, path: Array<string | number>, data: Violation["data"]) => {
      const v: Violation = { messageId, data, resource: refOf(obj), path };
      found.set(JSON.stringify(v), v);
    };

    // (1) LoadBalancer and NodePort Services.
    for (const svc of services) {
      const type = rec(svc.spec).type;
      if (type !== "LoadBalancer" && type !== "NodePort") continue;
      list(rec(svc.spec).ports).forEach((sp, i) => {
        for (const w of selected(svc))
          for (const port of targetPorts(sp, w)) {
            const peerAuthentication = modes.strictBy(w, port);
            if (peerAuthentication === undefined) continue;
            report(svc, "strictBehindExternalService", ["spec", "ports", i], {
              service: nameOf(svc),
              serviceType: type,
              servicePort: servicePortLabel(sp),
              port,
              workload: workloadName(w),
              peerAuthentication,
            });
          }
      });
    }

    // (2) Ingress backends of a non-Istio ingress controller.
    for (const ing of objects.filter((o) => o.kind === "Ingress")) {
      const cls = ingressClass(ing, classes);
      if (isIstioIngress(cls, classes)) continue;
      for (const [path, backend] of ingressBackends(ing)) {
        const ref = rec(rec(backend).service);
        if (ref.name === undefined) continue;
        for (const svc of (servicesIn.get(nsOf(ing)) ?? []).filter((s) => nameOf(s) === ref.name))
          for (const sp of list(rec(svc.spec).ports).filter((p) => backendNamesPort(rec(ref.port), p)))
            for (const w of selected(svc))
              for (const port of targetPorts(sp, w)) {
                const peerAuthentication = modes.strictBy(w, port);
                if (peerAuthentication === undefined) continue;
                report(ing, "strictBehindIngress", path, {
                  ingress: nameOf(ing),
                  ingressClass: cls === "" ? "unset" : cls,
                  service: nameOf(svc),
                  servicePort: servicePortLabel(sp),
                  port,
                  workload: workloadName(w),
                  peerAuthentication,
                });
              }
      }
    }

    // (3) Prometheus scrapes without Istio's client certificate.
    for (const m of objects) {
      if ((m.kind !== "ServiceMonitor" && m.kind !== "PodMonitor") || m.apiVersion !== "monitoring.coreos.com/v1") continue;
      const field = m.kind === "ServiceMonitor" ? "endpoints" : "podMetricsEndpoints";
      const spec = rec(m.spec);
      list(spec[field]).forEach((ep, i) => {
        if (meshTls(ep, certDirs)) return;
        const scraped: Array<[K8sObject, number]> = [];
        if (m.kind === "ServiceMonitor") {
          for (const svc of coveredBy(m, servicesIn)) {
            if (!labelSelectorMatches(spec.selector, rec(svc.metadata?.labels))) continue;
            for (const w of selected(svc)) {
              if (typeof ep?.port === "string")
                for (const sp of list(rec(svc.spec).ports).filter((p) => p?.name === ep.port))
                  for (const port of targetPorts(sp, w)) scraped.push([w, port]);
              else for (const port of resolvePort(ep?.targetPort, w)) scraped.push([w, port]);
            }
          }
        } else {
          for (const w of coveredBy(m, workloadsIn)) {
            if (!maySelectPods(spec.selector, podsOf(w))) continue;
            const ports =
              typeof ep?.port === "string"
                ? namedPorts(w, ep.port)
                : typeof ep?.portNumber === "number"
                  ? [ep.portNumber]
                  : resolvePort(ep?.targetPort, w);
            for (const port of ports) scraped.push([w, port]);
          }
        }
        for (const [w, port] of scraped) {
          const peerAuthentication = modes.strictBy(w, port);
          if (peerAuthentication === undefined) continue;
          report(m, "strictScrapedWithoutMeshTls", ["spec", field, i], {
            monitorKind: String(m.kind),
            monitor: nameOf(m),
            port,
            workload: workloadName(w),
            peerAuthentication,
          });
        }
      });
    }
    return [...found.values()];
  },
};
