/**
 * Scalars as kubectl reads them: kubectl, helm install and the API server decode YAML with
 * sigs.k8s.io/yaml over go-yaml v2, not with `yaml`'s YAML 1.1 schema. Where the two read a scalar
 * differently the audit judged another object than the one applied: an ingress rule written under
 * `!!omap` (a list to kubectl, a Map here) was a type error instead of the open rule the cluster gets,
 * `runAsUser: 0o0` (root to kubectl) a type error, and a timestamp or `1:30` in a ConfigMap a false
 * "the API server would reject this object". Each case sits beside a good manifest.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

const OPEN_INGRESS = (tag: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: open
  namespace: erlmcp
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: ${tag}
    - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
`;

const ROOT_POD = (runAsUser: string) => `apiVersion: v1
kind: Pod
metadata:
  name: root
  namespace: erlmcp
spec:
  securityContext:
    runAsUser: ${runAsUser}
  containers:
    - name: app
      image: busybox
`;

const PLAIN_DATA = `apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
  namespace: erlmcp
data:
  released: 2001-12-14
  at: 2001-12-14 21:59:43.10
  window: 1:30
  banner: !!binary aGVsbG8=
`;

async function audit(file: string, controls: string) {
  const root = tempTree({ "good/cm.yaml": CONFIGMAP("survivor"), "case/x.yaml": file });
  const r = await runCli([join(root, "case"), join(root, "good"), "--controls", controls, "--no-config", "--format", "json"]);
  const report = JSON.parse(r.stdout) as AuditReport;
  return {
    code: r.code,
    errors: report.inputErrors.map((e) => `${e.code} ${e.message}`),
    failing: report.findings.filter((f) => f.status === "fail").map((f) => `${f.controlId}:${f.messageId} ${f.resource.name}`),
    names: report.units.flatMap((u) => u.resources.map((res) => res.name)),
  };
}

describe("scalars are read as kubectl reads them (sigs.k8s.io/yaml, go-yaml v2)", () => {
  it.each(["!!omap", "!!pairs"])("an ingress rule written under %s is the open rule kubectl applies", async (tag) => {
    const r = await audit(OPEN_INGRESS(tag), "net-no-open-ingress");
    expect(r.errors).toEqual([]);
    expect(r.failing).toEqual(["net-no-open-ingress:openIpBlock open"]);
    expect(r.code).toBe(1);
    expect(r.names).toContain("survivor");
  });

  it.each(["0o0", "0x0", "0_0"])("runAsUser: %s is root, as kubectl reads it", async (uid) => {
    const r = await audit(ROOT_POD(uid), "pod-restricted-context");
    expect(r.errors).toEqual([]);
    expect(r.failing).toContain("pod-restricted-context:runAsUser root");
    expect(r.code).toBe(1);
  });

  it("timestamps, 1:30 and !!binary in a ConfigMap are the text kubectl sends, not a type error", async () => {
    const r = await audit(PLAIN_DATA, "pod-no-host-access");
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.names).toEqual(expect.arrayContaining(["plain", "survivor"]));
  });
});
