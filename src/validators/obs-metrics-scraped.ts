import type { K8sObject, Violation } from "../types.js";
import { refOf } from "../k8s/workloads.js";
import { labelSelectorMatches } from "../k8s/selectors.js";
import type { SetValidator } from "./types.js";

const spec = (obj: K8sObject): Record<string, any> => (obj.spec ?? {}) as Record<string, any>;

function coversNamespace(monitor: K8sObject, namespace: string): boolean {
  const selector = spec(monitor).namespaceSelector ?? {};
  if (selector.any === true) return true;
  const names: unknown[] = Array.isArray(selector.matchNames) ? selector.matchNames : [];
  return names.length > 0 ? names.includes(namespace) : refOf(monitor).namespace === namespace;
}

function scrapes(monitor: K8sObject, service: K8sObject, port: string): boolean {
  const endpoints: any[] = Array.isArray(spec(monitor).endpoints) ? spec(monitor).endpoints : [];
  return (
    coversNamespace(monitor, refOf(service).namespace) &&
    labelSelectorMatches(spec(monitor).selector, service.metadata?.labels ?? {}) &&
    endpoints.some((e) => e?.port === port)
  );
}

export const obsMetricsScraped: SetValidator = {
  id: "obs-metrics-scraped",
  scope: "set",
  validate(resources, params) {
    const portNames: unknown[] = params.metricsPortNames ?? ["metrics", "http-metrics"];
    const objects = resources.map((r) => r.object);
    const monitors = objects.filter((o) => o.kind === "ServiceMonitor" && o.apiVersion === "monitoring.coreos.com/v1");
    // Monitors by the namespaces they can cover, so each Service tries only those.
    const anyNamespace = monitors.filter((m) => spec(m).namespaceSelector?.any === true);
    const byNamespace = new Map<string, K8sObject[]>();
    for (const m of monitors) {
      const names: unknown[] = Array.isArray(spec(m).namespaceSelector?.matchNames) ? spec(m).namespaceSelector.matchNames : [];
      for (const ns of names.length > 0 ? names.filter((n): n is string => typeof n === "string") : [refOf(m).namespace]) {
        const list = byNamespace.get(ns);
        if (list) list.push(m);
        else byNamespace.set(ns, [m]);
      }
    }
    const out: Violation[] = [];
    for (const service of objects.filter((o) => o.kind === "Service")) {
      const ports: any[] = Array.isArray(spec(service).ports) ? spec(service).ports : [];
      const candidates = [...(byNamespace.get(refOf(service).namespace) ?? []), ...anyNamespace];
      ports.forEach((port, i) => {
        if (!portNames.includes(port?.name) || candidates.some((m) => scrapes(m, service, port.name))) return;
        const resource = refOf(service);
        out.push({
          messageId: "metricsPortNotScraped",
          data: { service: resource.name, port: port.name },
          resource,
          path: ["spec", "ports", i],
        });
      });
    }
    return out;
  },
};
