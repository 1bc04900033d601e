import { describe, expect, it } from "vitest";
import { allManifestSets, helmTemplate, type K8sDoc } from "./render.js";

/** Nodes that must stay up for an Erlang cluster of n nodes to keep a majority. */
const quorum = (n: number): number => Math.floor(n / 2) + 1;

/** An int-or-percent PDB value at size n, rounded up as the disruption controller does. */
function scaled(value: number | string, n: number): number {
  if (typeof value === "number") return value;
  const percent = /^(\d+)%$/.exec(value);
  if (!percent) throw new Error(`not an int or percentage: ${value}`);
  return Math.ceil((Number(percent[1]) * n) / 100);
}

/** Healthy pods the PDB keeps when all n pods are healthy, and the evictions it allows then. */
function disruptionBudget(spec: { minAvailable?: number | string; maxUnavailable?: number | string }, n: number): { keeps: number; allows: number } {
  const keeps = spec.maxUnavailable !== undefined ? Math.max(0, n - scaled(spec.maxUnavailable, n)) : scaled(spec.minAvailable ?? 0, n);
  return { keeps, allows: Math.max(0, n - keeps) };
}

/** Every size a workload may have: its HPA's minReplicas..maxReplicas, else its declared replicas. */
function sizes(workload: K8sDoc, hpa: K8sDoc | undefined): number[] {
  if (!hpa) return [workload.spec?.replicas ?? 1];
  const out: number[] = [];
  for (let n = hpa.spec.minReplicas ?? 1; n <= hpa.spec.maxReplicas; n++) out.push(n);
  return out;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

interface ErlangCluster {
  set: string;
  workload: K8sDoc;
  hpa: K8sDoc | undefined;
  pdbs: K8sDoc[];
}

/** The Erlang node workloads (StatefulSets and Rollouts) of every rendered form, with their HPA and PDBs. */
function erlangClusters(): ErlangCluster[] {
  const out: ErlangCluster[] = [];
  for (const [set, docs] of allManifestSets()) {
    for (const workload of docs.filter((d) => d.kind === "StatefulSet" || d.kind === "Rollout")) {
      const ns = workload.metadata.namespace;
      const podLabels = workload.spec.template.metadata.labels as Record<string, string>;
      const hpa = docs.find(
        (d) => d.kind === "HorizontalPodAutoscaler" && d.metadata.namespace === ns && d.spec.scaleTargetRef.kind === workload.kind && d.spec.scaleTargetRef.name === workload.metadata.name,
      );
      const pdbs = docs.filter((d) => d.kind === "PodDisruptionBudget" && d.metadata.namespace === ns && selects(d.spec.selector.matchLabels, podLabels));
      out.push({ set, workload, hpa, pdbs });
    }
  }
  return out;
}

describe("PDB arithmetic of the disruption controller", () => {
  it("rounds percentages up and reads maxUnavailable before minAvailable", () => {
    expect(disruptionBudget({ minAvailable: "51%" }, 8)).toEqual({ keeps: 5, allows: 3 });
    expect(disruptionBudget({ maxUnavailable: "20%" }, 13)).toEqual({ keeps: 10, allows: 3 });
    expect(disruptionBudget({ maxUnavailable: 1 }, 13)).toEqual({ keeps: 12, allows: 1 });
  });

  it("exposes the old fixed minAvailable: 4, which leaves 4 of 13 (below a quorum of 7)", () => {
    const { keeps } = disruptionBudget({ minAvailable: 4 }, 13);
    expect(keeps).toBeLessThan(quorum(13));
  });
});

describe("quorum holds at every size the HPA may give, in every rendered form", () => {
  const clusters = erlangClusters();

  it("finds the Erlang node workloads of every form", () => {
    const sets = new Set(clusters.map((c) => c.set));
    for (const set of ["helm/production", "kustomize/staging", "standalone", "standalone/blue-green", "standalone/canary"]) expect(sets).toContain(set);
    expect(clusters.filter((c) => c.set === "standalone/blue-green")).toHaveLength(2);
  });

  it("every node workload has exactly one PDB", () => {
    expect(clusters.filter((c) => c.pdbs.length !== 1).map((c) => `${c.set} ${c.workload.metadata.name}: ${c.pdbs.length}`)).toEqual([]);
  });

  it("a drain keeps a majority and can still evict, at every size from minReplicas to maxReplicas", () => {
    const broken: string[] = [];
    for (const c of clusters) {
      for (const n of sizes(c.workload, c.hpa)) {
        const { keeps, allows } = disruptionBudget(c.pdbs[0]!.spec, n);
        if (keeps < quorum(n)) broken.push(`${c.set} ${c.workload.metadata.name} n=${n}: keeps ${keeps} < quorum ${quorum(n)}`);
        if (allows < 1) broken.push(`${c.set} ${c.workload.metadata.name} n=${n}: no eviction allowed, drains block`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the HPA's bounds are odd and at least 3, and its initial size is within them", () => {
    const wrong: string[] = [];
    for (const c of clusters.filter((x) => x.hpa)) {
      const { minReplicas, maxReplicas } = c.hpa!.spec;
      for (const [bound, v] of [["minReplicas", minReplicas], ["maxReplicas", maxReplicas]] as const) {
        if (v % 2 === 0 || v < 3) wrong.push(`${c.set} ${c.workload.metadata.name} ${bound}=${v}`);
      }
      const initial = c.workload.spec.replicas;
      if (initial < minReplicas || initial > maxReplicas) wrong.push(`${c.set} ${c.workload.metadata.name} replicas=${initial}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("the chart refuses HPA bounds that break the design", () => {
  it.each([
    ["autoscaling.maxReplicas", "12", /must be odd/],
    ["autoscaling.minReplicas", "8", /minReplicas/],
    ["autoscaling.minReplicas", "5", /must be >= cluster.replicaCount/],
  ])("%s=%s is rejected", (key, value, message) => {
    expect(() => helmTemplate({ valuesFiles: ["values-production.yaml"], set: { [key]: value } })).toThrow(message);
  });
});

describe("GitOps leaves the HPA's node count alone", () => {
  const gitops = allManifestSets().get("gitops")!;

  it("every Argo CD Application ignores and keeps spec.replicas of the node workloads", () => {
    for (const app of gitops.filter((d) => d.kind === "Application")) {
      expect(app.spec.syncPolicy.syncOptions, app.metadata.name).toContain("RespectIgnoreDifferences=true");
      for (const [group, kind] of [
        ["apps", "StatefulSet"],
        ["argoproj.io", "Rollout"],
      ]) {
        const rule = (app.spec.ignoreDifferences ?? []).find((r: K8sDoc) => r.group === group && r.kind === kind);
        expect(rule?.jsonPointers, `${app.metadata.name} ${kind}`).toContain("/spec/replicas");
      }
    }
  });

  it("every Flux Kustomization removes spec.replicas from the StatefulSets before applying", () => {
    const kustomizations = gitops.filter((d) => d.kind === "Kustomization" && d.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/"));
    expect(kustomizations.length).toBeGreaterThan(0);
    for (const k of kustomizations) {
      const patch = (k.spec.patches ?? []).find((p: K8sDoc) => p.target?.kind === "StatefulSet");
      expect(patch?.patch, k.metadata.name).toMatch(/op: remove\s+path: \/spec\/replicas/);
    }
  });
});
