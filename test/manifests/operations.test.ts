import { describe, expect, it } from "vitest";
import { allManifestSets, helmTemplate, parseDocs, resourceKey, type K8sDoc } from "./render.js";

const NEXT_DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/** The value that carries the running image of a strategy (blue/green: the active slot's). */
const digestKey = (strategy: string): string => (strategy === "blueGreen" ? "blueGreen.slots.blue.digest" : "image.digest");

/** A release of the chart with the given strategy, as `helm template` renders it. */
const release = (strategy: string, digest?: string): K8sDoc[] =>
  parseDocs(
    helmTemplate({ valuesFiles: ["values-production.yaml"], set: { strategy, ...(digest ? { [digestKey(strategy)]: digest } : {}) } }),
    `helm ${strategy} ${digest ?? ""}`,
  );

const podTemplates = (d: K8sDoc): K8sDoc[] =>
  d.kind === "Job" ? [d.spec.template] : d.kind === "CronJob" ? [d.spec.jobTemplate.spec.template] : [];

describe("release and on-demand Jobs survive upgrades and GitOps", () => {
  it.each(["statefulset", "blueGreen", "canary"])("%s: a new image digest never changes the pod template of a Job that keeps its name", (strategy) => {
    const before = new Map(release(strategy).map((d) => [resourceKey(d), d]));
    const after = release(strategy, NEXT_DIGEST);
    const jobs = after.filter((d) => d.kind === "Job");
    expect(jobs.length).toBeGreaterThan(0);
    const immutableChanges = jobs
      .filter((job) => before.has(resourceKey(job)))
      .filter((job) => JSON.stringify(before.get(resourceKey(job))!.spec.template) !== JSON.stringify(job.spec.template))
      .map(resourceKey);
    expect(immutableChanges).toEqual([]);
    expect(jobs.every((job) => !before.has(resourceKey(job)))).toBe(true);
  });

  it("no form ships a suspended Job; on-demand operations are suspended CronJobs that never fire", () => {
    for (const [set, docs] of allManifestSets()) {
      expect(docs.filter((d) => d.kind === "Job" && d.spec.suspend).map(resourceKey), set).toEqual([]);
      const onDemand = docs.filter((d) => d.kind === "CronJob" && d.metadata.labels?.["erlmcp.io/run-on-demand"] === "true");
      if (set === "gitops") continue;
      const clusters = docs.filter((d) => d.kind === "StatefulSet" || d.kind === "Rollout").map((d) => d.metadata.name as string);
      const expected = clusters.flatMap((c) => [`${c}-backup-now`, `${c}-restore`]).sort();
      expect(onDemand.map((d) => d.metadata.name).sort(), set).toEqual(expected);
      for (const c of onDemand) {
        expect(c.spec.suspend, `${set} ${c.metadata.name}`).toBe(true);
        expect(c.spec.schedule, `${set} ${c.metadata.name}`).toBe("0 0 31 2 *");
        expect(c.metadata.annotations["erlmcp.io/run"]).toContain(`create job --from=cronjob/${c.metadata.name} `);
      }
    }
  });

  it("release Jobs are hooks for Helm and Argo CD and recreated by Flux when their template changes", () => {
    for (const [set, docs] of allManifestSets()) {
      for (const job of docs.filter((d) => d.kind === "Job")) {
        const a = job.metadata.annotations ?? {};
        expect(a["argocd.argoproj.io/hook"], `${set} ${job.metadata.name}`).toBe("PostSync");
        expect(a["argocd.argoproj.io/hook-delete-policy"]).toBe("BeforeHookCreation");
        expect(a["kustomize.toolkit.fluxcd.io/force"]).toBe("enabled");
        if (set.startsWith("helm/")) expect(a["helm.sh/hook"]).toBe("post-install,post-upgrade");
      }
    }
  });

  it("every job pod in an Istio-injected namespace runs istio-proxy as a native sidecar, so it can complete", () => {
    for (const [set, docs] of allManifestSets()) {
      const injected = new Set(docs.filter((d) => d.kind === "Namespace" && d.metadata.labels?.["istio-injection"] === "enabled").map((d) => d.metadata.name));
      for (const d of docs.filter((x) => x.metadata?.namespace && injected.has(x.metadata.namespace))) {
        for (const t of podTemplates(d)) {
          const a = t.metadata?.annotations ?? {};
          const completes = a["sidecar.istio.io/nativeSidecar"] === "true" || a["sidecar.istio.io/inject"] === "false";
          expect(completes, `${set} ${resourceKey(d)}`).toBe(true);
        }
      }
    }
  });
});
