import { describe, expect, it } from "vitest";
import { allManifestSets, type K8sDoc } from "./render.js";

/** CPU in cores ("500m", "4") or memory in GiB ("512Mi", "8Gi", "2Ti"). */
function quantity(value: string | number): number {
  const m = /^([\d.]+)(m|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  if (!m) throw new Error(`unsupported quantity ${value}`);
  const n = Number(m[1]);
  const scale: Record<string, number> = { m: 1 / 1000, Ki: 1 / 1024 ** 2, Mi: 1 / 1024, Gi: 1, Ti: 1024 };
  return m[2] ? n * scale[m[2]]! : n;
}

/** Istio's default proxy resources, which every meshed pod adds to the quota. */
const SIDECAR = { requests: { cpu: 0.1, memory: 0.125 }, limits: { cpu: 2, memory: 1 } };
/** Operations pods that may run at once per cluster: scheduled backup, backup-now or restore, maintenance, a release Job. */
const OPS_PODS_PER_CLUSTER = 4;

describe("the ResourceQuota admits every Erlang cluster at the HPA's maxReplicas", () => {
  const forms = [...allManifestSets()].filter(([, docs]) => docs.some((d) => d.kind === "ResourceQuota"));

  it.each(forms)("%s", (_name, docs) => {
    const quota = docs.find((d) => d.kind === "ResourceQuota")!.spec.hard as Record<string, string>;
    const need = { "requests.cpu": 0, "requests.memory": 0, "limits.cpu": 0, "limits.memory": 0, pods: 0 };
    const job = docs.find((d) => d.kind === "CronJob")!.spec.jobTemplate.spec.template.spec.containers[0].resources;
    for (const w of docs.filter((d: K8sDoc) => d.kind === "StatefulSet" || d.kind === "Rollout")) {
      const hpa = docs.find((d) => d.kind === "HorizontalPodAutoscaler" && d.spec.scaleTargetRef.name === w.metadata.name);
      const max: number = hpa?.spec.maxReplicas ?? w.spec.replicas;
      const r = w.spec.template.spec.containers[0].resources;
      for (const [pods, res] of [
        [max, r],
        [OPS_PODS_PER_CLUSTER, job],
      ] as const) {
        for (const kind of ["requests", "limits"] as const) {
          need[`${kind}.cpu`] += pods * (quantity(res[kind].cpu) + SIDECAR[kind].cpu);
          need[`${kind}.memory`] += pods * (quantity(res[kind].memory) + SIDECAR[kind].memory);
        }
        need.pods += pods;
      }
    }
    for (const [key, amount] of Object.entries(need)) expect(quantity(quota[key]!), key).toBeGreaterThanOrEqual(amount);
  });
});
