import type { K8sObject, Violation } from "../types.js";
import { list, nameOf, nsOf, rec } from "../k8s/manifest-fields.js";
import {
  backendNamesPort,
  coveredBy,
  DEFAULT_CERT_DIRS,
  ingressBackends,
  ingressClass,
  isIstioIngress,
  meshTls,
  namedPorts,
  resolvePort,
  servicePortLabel,
  targetPorts,
} from "../k8s/mesh-edge-clients.js";
import { byNamespace, DEFAULT_ROOT_NAMESPACE, MeshModes, podsOf } from "../k8s/mesh-modes.js";
import { labelSelectorMatches, mapSelectorMatches, maySelectPods } from "../k8s/selectors.js";
import { isWorkload, podLabels, refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const workloadName = (w: K8sObject): string => `${String(w.kind)}/${nameOf(w)}`;

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
    // Services alike (same namespace and selector) select alike: each selector is matched once.
    const selections = new Map<string, K8sObject[]>();
    const selectorKey = (svc: K8sObject) => JSON.stringify([nsOf(svc), rec(svc.spec).selector ?? {}]);
    const selected = (svc: K8sObject): K8sObject[] => {
      const key = selectorKey(svc);
      let workloads = selections.get(key);
      if (workloads === undefined) {
        workloads = (workloadsIn.get(nsOf(svc)) ?? []).filter((w) => mapSelectorMatches(rec(svc.spec).selector ?? {}, podLabels(w)));
        selections.set(key, workloads);
      }
      return workloads;
    };

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
          // Each distinct (selector, port reference) once: many Services may select the same workloads.
          const refs = new Map<string, [K8sObject, unknown]>();
          for (const svc of coveredBy(m, servicesIn)) {
            if (!labelSelectorMatches(spec.selector, rec(svc.metadata?.labels))) continue;
            const svcRefs =
              typeof ep?.port === "string"
                ? list(rec(svc.spec).ports)
                    .filter((p) => p?.name === ep.port && (p?.protocol ?? "TCP") === "TCP")
                    .map((p) => p?.targetPort ?? p?.port)
                : [ep?.targetPort];
            for (const ref of svcRefs) refs.set(JSON.stringify([selectorKey(svc), ref ?? null]), [svc, ref]);
          }
          for (const [svc, ref] of refs.values())
            for (const w of selected(svc)) for (const port of resolvePort(ref, w)) scraped.push([w, port]);
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
