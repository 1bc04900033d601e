/** `erlmcp-audit cluster` refuses a kubeconfig it cannot use, with exit 2 and a message that says why. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import { snapshotAsLoaded } from "../../src/cluster/audit.js";
import { clusterLocation } from "../../src/cluster/location.js";
import type { K8sObject } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { tempTree } from "../helpers/tmp.js";

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: not-a-real-token } }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }]
current-context: ctx
`;

describe("erlmcp-audit cluster with a kubeconfig it cannot use", () => {
  const dir = tempTree({
    "unreachable.yaml": kubeconfig("https://127.0.0.1:1"),
    "not-yaml.yaml": "clusters: [unclosed\n",
  });

  it("exits 2 when the kubeconfig file does not exist", async () => {
    const r = await runCli(["cluster", "--kubeconfig", join(dir, "missing.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot read kubeconfig");
  });

  it("exits 2 when the kubeconfig is not YAML", async () => {
    const r = await runCli(["cluster", "--kubeconfig", join(dir, "not-yaml.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot read kubeconfig");
  });

  it("exits 2 naming the contexts when --context is not in the kubeconfig", async () => {
    const r = await runCli(["cluster", "--kubeconfig", join(dir, "unreachable.yaml"), "--context", "prod"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("context 'prod' is not in the kubeconfig (contexts: ctx)");
  });

  it("exits 2 when the API server does not answer, and writes no report", async () => {
    const r = await runCli(["cluster", "--kubeconfig", join(dir, "unreachable.yaml"), "-f", "json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GET https:\/\/127\.0\.0\.1:1\/apis: .*ECONNREFUSED/);
    expect(r.stdout).toBe("");
  });

  it("rejects an option of the file audit", async () => {
    const r = await runCli(["cluster", "--kubeconfig", join(dir, "unreachable.yaml"), "--values", "x.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--values");
  });

  it("evidence refuses cluster options without --cluster", async () => {
    const r = await runCli(["evidence", "--out", join(dir, "out"), "--kubeconfig", join(dir, "unreachable.yaml"), "manifests"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--kubeconfig, --context and --namespace need --cluster");
  });

  it("never places a cluster finding on a file whose path looks like its cluster:// location", async () => {
    const pod: K8sObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "ns" },
      spec: { containers: [{ name: "c", image: "busybox:1.36", securityContext: { privileged: true } }] },
    };
    const ref = { apiVersion: "v1", kind: "Pod", namespace: "ns", name: "p" };
    const file = clusterLocation("ctx", ref);
    const planted = tempTree({ [file.replace("cluster://", "cluster:/")]: "\n".repeat(40) + "privileged: true\n" });
    const snapshot = {
      context: "ctx",
      server: "https://example.invalid",
      observedAt: "2026-12-01T00:00:00.000Z",
      resources: [{ ref, object: pod, source: { file, line: 0, documentIndex: 0 } }],
      kinds: ["Pod"],
      notServed: [],
    };
    const report = await audit([], { cwd: planted, config: false, loaded: snapshotAsLoaded(snapshot) });
    const privileged = report.findings.find((f) => f.status === "fail" && f.path === "spec.containers[0].securityContext.privileged")!;
    expect(privileged.source.file).toBe("cluster://ctx/ns/Pod/p");
    expect(privileged.location).toMatchObject({ file: "cluster://ctx/ns/Pod/p", line: 0, via: "cluster" });
  });
});
