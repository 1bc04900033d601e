/**
 * The clients outside the mesh of net-mesh-edge-coherent and the container ports they reach: Service
 * ports and their target ports, Ingress classes and backends, Prometheus monitors and their TLS settings
 * (mirrors the Service, Ingress and monitor sections of policies/net-mesh-edge-coherent/policy.rego).
 */
import type { K8sObject } from "../types.js";
import { list, nameOf, nsOf, rec } from "./manifest-fields.js";
import { size } from "./mesh-modes.js";
import { allContainers } from "./workloads.js";

/** The directories of Istio's certificates a Prometheus scrape may use unless the control's parameter says otherwise. */
export const DEFAULT_CERT_DIRS = ["/etc/prom-certs/", "/etc/istio-certs/"];

const isObject = (value: unknown): boolean => value !== null && typeof value === "object" && !Array.isArray(value);

/** Container port numbers of w named `name` for TCP (mirrors lib.net named_port). */
export function namedPorts(w: K8sObject, name: string): number[] {
  const out: number[] = [];
  for (const { container } of allContainers(w))
    for (const p of list(container.ports))
      if (typeof p?.containerPort === "number" && p.name === name && (p.protocol ?? "TCP") === "TCP") out.push(p.containerPort);
  return out;
}

/** The container ports a port reference names on w: a number as is, a name resolved on its TCP container ports. */
export function resolvePort(port: unknown, w: K8sObject): number[] {
  if (typeof port === "number") return [port];
  return typeof port === "string" ? namedPorts(w, port) : [];
}

/** The container ports a Service port reaches on w: its targetPort (unset = port); TCP only. */
export function targetPorts(sp: any, w: K8sObject): number[] {
  if ((sp?.protocol ?? "TCP") !== "TCP") return [];
  return resolvePort(sp?.targetPort ?? sp?.port, w);
}

/** How a finding names a Service port: its name, else its number. */
export function servicePortLabel(sp: any): string {
  if (typeof sp?.name === "string" && sp.name !== "") return sp.name;
  return typeof sp?.port === "number" ? String(Math.trunc(sp.port)) : "";
}

/** The class of an Ingress: `ingressClassName`, else the legacy annotation, else the set's default IngressClass (first by name), else "". */
export function ingressClass(ing: K8sObject, classes: readonly K8sObject[]): string {
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

/** An Ingress class served by Istio: an IngressClass of the set with controller istio.io/ingress-controller, or `istio` when no IngressClass of that name is in the set. */
export function isIstioIngress(cls: string, classes: readonly K8sObject[]): boolean {
  if (classes.some((c) => nameOf(c) === cls && rec(c.spec).controller === "istio.io/ingress-controller")) return true;
  return cls === "istio" && !classes.some((c) => nameOf(c) === "istio");
}

/** `defaultBackend` and every rule path's backend, with their paths. */
export function ingressBackends(ing: K8sObject): Array<[Array<string | number>, unknown]> {
  const spec = rec(ing.spec);
  const out: Array<[Array<string | number>, unknown]> = [];
  if (spec.defaultBackend !== undefined) out.push([["spec", "defaultBackend"], spec.defaultBackend]);
  list(spec.rules).forEach((rule, i) =>
    list(rec(rec(rule).http).paths).forEach((p, j) => out.push([["spec", "rules", i, "http", "paths", j, "backend"], rec(p).backend])),
  );
  return out;
}

/** An Ingress backend's `service.port` names the Service port (by number or by name). */
export function backendNamesPort(ref: any, sp: any): boolean {
  return (typeof ref?.number === "number" && ref.number === sp?.port) || (typeof ref?.name === "string" && ref.name === sp?.name);
}

/** The objects of index in the namespaces a monitor covers: `any: true`, its `matchNames`, else its own namespace. */
export function coveredBy(monitor: K8sObject, index: Map<string, K8sObject[]>): K8sObject[] {
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
export function meshTls(ep: any, certDirs: readonly string[]): boolean {
  if (!schemeHttps(ep)) return false;
  const cfg = rec(ep.tlsConfig);
  const istioFile = (f: unknown) => typeof f === "string" && certDirs.some((dir) => f.startsWith(dir));
  if (istioFile(cfg.certFile) && istioFile(cfg.keyFile)) return true;
  return isObject(cfg.cert) && isObject(cfg.keySecret);
}
