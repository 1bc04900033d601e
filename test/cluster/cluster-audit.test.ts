/**
 * `erlmcp-audit cluster` against a real API server: the reference deployment (manifests/standalone, as
 * kustomize builds it) applied server-side, plus a privileged Pod and a changed image.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { auditCluster, readCluster } from "../../src/cluster/audit.js";
import { compareWithRepository } from "../../src/cluster/compare.js";
import { loadInputs } from "../../src/loaders/load.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { K8sObject } from "../../src/types.js";
import { clusterTestsEnabled, useTestCluster, waitFor, type TestCluster } from "../helpers/cluster.js";
import { runCli } from "../helpers/cli.js";

const enabled = clusterTestsEnabled("test/cluster/cluster-audit.test.ts (erlmcp-audit cluster)");
const STANDALONE = join(PACKAGE_ROOT, "manifests", "standalone");
const CHANGED_IMAGE = "registry.example.com/erlmcp/erlmcp:drifted";

const privilegedPod: K8sObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "debug-shell", namespace: "scratch" },
  spec: { containers: [{ name: "shell", image: "busybox:1.36", securityContext: { privileged: true, allowPrivilegeEscalation: true } }] },
};

/** The ClusterRole of docs/cluster-audit.md (its first YAML block). */
function documentedClusterRole(): K8sObject {
  const doc = readFileSync(join(PACKAGE_ROOT, "docs", "cluster-audit.md"), "utf8");
  return parse(/```yaml\n([\s\S]*?)```/.exec(doc)![1]!) as K8sObject;
}

/** A kubeconfig of the test cluster for user `name`: a client certificate signed by the cluster CA. */
function userKubeconfig(c: TestCluster, name: string): string {
  const base = join(c.dir, name);
  const run = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  run(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", `${base}.key`, "-out", `${base}.csr`, "-subj", `/CN=${name}`]);
  run([
    "x509",
    "-req",
    "-in",
    `${base}.csr`,
    "-CA",
    c.caFile,
    "-CAkey",
    join(c.dir, "ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-out",
    `${base}.crt`,
  ]);
  const config = readFileSync(c.kubeconfig, "utf8")
    .replace(join(c.dir, "admin.crt"), `${base}.crt`)
    .replace(join(c.dir, "admin.key"), `${base}.key`);
  writeFileSync(`${base}.kubeconfig`, config);
  return `${base}.kubeconfig`;
}

describe.runIf(enabled)("erlmcp-audit cluster reads a real API server", () => {
  const cluster = useTestCluster();
  let statefulSet = "";

  it("applies the reference deployment, a privileged Pod and a changed image", async () => {
    const c = cluster();
    const unit = (await loadInputs([STANDALONE], { cwd: PACKAGE_ROOT })).units.find((u) => u.path.endsWith("standalone"))!;
    const docs = unit.resources.map((r) => structuredClone(r.object));
    await c.prepareFor(docs);
    for (const doc of docs) {
      if (doc.kind === "StatefulSet") {
        statefulSet = doc.metadata!.name!;
        (doc as any).spec.template.spec.containers[0].image = CHANGED_IMAGE;
      }
      const reply = await c.apply(doc);
      expect(reply.status, `${doc.kind}/${doc.metadata?.name}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
    }
    await c.createNamespaces([privilegedPod]);
    const reply = await c.apply(privilegedPod);
    expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
    // A privileged Pod that claims a harmless ReplicaSet as its controller.
    const replicaSet = await c.apply({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "harmless", namespace: "scratch" },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "harmless" } },
        template: { metadata: { labels: { app: "harmless" } }, spec: { containers: [{ name: "c", image: "busybox:1.36" }] } },
      },
    });
    expect(replicaSet.status).toBeLessThan(300);
    const owner = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "harmless", uid: replicaSet.body.metadata.uid, controller: true };
    const impostor = structuredClone(privilegedPod);
    impostor.metadata = { ...impostor.metadata, name: "impostor", labels: { app: "harmless" }, ownerReferences: [owner] };
    expect((await c.apply(impostor)).status).toBeLessThan(300);
    expect(statefulSet).not.toBe("");
  }, 120_000);

  it("reports the privileged Pod at cluster://<context>/<namespace>/Pod/<name> with its field path", async () => {
    const { report, snapshot } = await auditCluster({ kubeconfig: cluster().kubeconfig, config: false });
    expect(snapshot.context).toBe("test-cluster");
    const found = report.findings.filter(
      (f) =>
        f.status === "fail" &&
        f.resource.kind === "Pod" &&
        f.resource.name === "debug-shell" &&
        f.path?.endsWith("securityContext.privileged"),
    );
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]!.source.file).toBe("cluster://test-cluster/scratch/Pod/debug-shell");
    expect(found[0]!.path).toBe("spec.containers[0].securityContext.privileged");
    // Never a file on disk that happens to share the name: the object in the cluster, no line.
    expect(found[0]!.location).toEqual({ file: "cluster://test-cluster/scratch/Pod/debug-shell", line: 0, via: "cluster" });
    expect(report.units[0]!.kind).toBe("cluster");
    // Server-populated fields are not part of what is audited.
    // An owner reference proves nothing: the Pod that claims a ReplicaSet is audited itself.
    expect(report.findings.some((f) => f.status === "fail" && f.source.file === "cluster://test-cluster/scratch/Pod/impostor")).toBe(true);
    const pod = snapshot.resources.find((r) => r.ref.name === "debug-shell")!.object;
    expect(pod.status).toBeUndefined();
    expect(pod.metadata).not.toHaveProperty("managedFields");
    expect(pod.metadata).not.toHaveProperty("uid");
  }, 120_000);

  it("reads only the namespaces given with -n", async () => {
    const { snapshot } = await auditCluster({ kubeconfig: cluster().kubeconfig, config: false, namespaces: ["default"] });
    expect(snapshot.resources.some((r) => r.ref.namespace === "scratch")).toBe(false);
    expect(snapshot.resources.filter((r) => r.ref.kind === "Namespace").map((r) => r.ref.name)).toEqual(["default"]);
    expect(snapshot.resources.some((r) => r.ref.kind === "ClusterRole")).toBe(true);
  }, 120_000);

  it("--compare reports the extra Pod and the changed image", async () => {
    const drift = await compareWithRepository([STANDALONE], { kubeconfig: cluster().kubeconfig, cwd: PACKAGE_ROOT });
    const unit = drift.units.find((u) => u.unit === "manifests/standalone")!;
    expect(drift.extra.map((e) => `${e.kind}/${e.namespace}/${e.name}`)).toContain("Pod/scratch/debug-shell");
    expect(unit.missing).toEqual([]);
    // Only the changed image: the API server's defaults (NetworkPolicy protocol, policyTypes) are no drift.
    expect(
      unit.changed.map((c) => ({ kind: c.resource.kind, name: c.resource.name, fields: c.fields.map((f) => [f.path, f.cluster]) })),
    ).toEqual([{ kind: "StatefulSet", name: statefulSet, fields: [["spec.template.spec.containers[0].image", CHANGED_IMAGE]] }]);
  }, 120_000);

  it("the CLI prints the drift and fails on the privileged Pod", async () => {
    const kubeconfig = cluster().kubeconfig;
    const audit = await runCli(["cluster", "--kubeconfig", kubeconfig, "--no-config", "-f", "json"]);
    expect(audit.code).toBe(1);
    const report = JSON.parse(audit.stdout);
    expect(report.findings.some((f: any) => f.source.file === "cluster://test-cluster/scratch/Pod/debug-shell")).toBe(true);
    const compare = await runCli(["cluster", "--kubeconfig", kubeconfig, "--compare", STANDALONE]);
    expect(compare.stdout).toContain("extra in the cluster: Pod scratch/debug-shell");
    expect(compare.stdout).toContain(CHANGED_IMAGE);
    const unknown = await runCli(["cluster", "--kubeconfig", kubeconfig, "--context", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("context 'nope' is not in the kubeconfig");
  }, 180_000);

  it("needs only the ClusterRole of docs/cluster-audit.md; without it the 403 names the resource", async () => {
    const c = cluster();
    const role = documentedClusterRole();
    expect((await c.apply(role)).status).toBeLessThan(300);
    const binding: K8sObject = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "erlmcp-audit-reader" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata!.name! },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "auditor" }],
    };
    expect((await c.apply(binding)).status).toBeLessThan(300);
    const asAdmin = await readCluster({ kubeconfig: c.kubeconfig });
    const auditor = userKubeconfig(c, "auditor");
    let asAuditor: Awaited<ReturnType<typeof readCluster>> | undefined;
    await waitFor(async () => {
      asAuditor = await readCluster({ kubeconfig: auditor }).catch(() => undefined);
      return asAuditor !== undefined;
    }, "the auditor's ClusterRoleBinding to take effect");
    const keys = (s: typeof asAdmin) => s.resources.map((r) => r.source.file);
    expect(keys(asAuditor!)).toEqual(keys(asAdmin));
    await expect(readCluster({ kubeconfig: userKubeconfig(c, "stranger") })).rejects.toThrow(/403 .*cannot list resource/);
  }, 120_000);

  it("evidence --cluster marks the package as the observed state of the context at the time of the read", async () => {
    const out = mkdtempSync(join(tmpdir(), "erlmcp-audit-evidence-"));
    try {
      const r = await runCli(["evidence", "--cluster", "--kubeconfig", cluster().kubeconfig, "--no-config", "--out", out]);
      expect(r.code, r.stderr).toBe(1);
      const evidence = JSON.parse(readFileSync(join(out, "evidence.json"), "utf8"));
      expect(evidence.scope.paths).toEqual(["cluster://test-cluster"]);
      expect(evidence.scope.git).toBeUndefined();
      expect(evidence.scope.observed.statement).toMatch(/^observed state of test-cluster at \d{4}-\d\d-\d\dT/);
      expect(readFileSync(join(out, "report.html"), "utf8")).toContain(evidence.scope.observed.statement);
      expect(evidence.findings.some((f: any) => f.resource.kind === "Pod" && f.resource.name === "debug-shell")).toBe(true);
      const both = await runCli(["evidence", "--cluster", "--kubeconfig", cluster().kubeconfig, "--out", out, "manifests"]);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain("either paths or --cluster");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
