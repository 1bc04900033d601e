/**
 * Document markers: kubectl (and helm install, Argo CD, Flux, all through k8s.io/apimachinery's
 * YAMLReader) cuts a stream only at lines that are `---` (then nothing or a comment) and reads the first
 * YAML document of each part. A document YAML starts after a `...` line, with no `---` line between, is
 * never applied: counting it (a default-deny NetworkPolicy) passed a namespace the cluster leaves open.
 * Such a document is an input error at its line; the documents kubectl does read are still audited.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

const WORKLOAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx
`;

const DENY_ALL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;

/** The workload and its namespace's default-deny policy in one file, the policy after `between`. */
const app = (between: string) => `${WORKLOAD}${between}\n${DENY_ALL}`;

async function audit(files: Record<string, string>) {
  const root = tempTree({ "good/cm.yaml": CONFIGMAP("survivor"), ...files });
  const r = await runCli([join(root, "case"), join(root, "good"), "--controls", "net-default-deny", "--no-config", "--format", "json"]);
  const report = JSON.parse(r.stdout) as AuditReport;
  return {
    code: r.code,
    errors: report.inputErrors.map((e) => `${e.code} ${e.file.split("/").slice(-2).join("/")}:${e.line}`),
    failing: report.findings.filter((f) => f.status === "fail").map((f) => `${f.controlId} ${f.resource.name}`),
    names: report.units.flatMap((u) => u.resources.map((r) => `${r.kind}/${r.name}`)),
  };
}

describe("document markers: only the documents kubectl applies are audited", () => {
  it("a default-deny NetworkPolicy after a `...` line is never applied: an input error at its line, the namespace judged without it", async () => {
    const r = await audit({ "case/app.yaml": app("...") });
    expect(r.code).toBe(2);
    expect(r.errors).toEqual(["YAML_DOCUMENT_MARKER case/app.yaml:17"]);
    expect(r.failing).toEqual(["net-default-deny shop"]);
    expect(r.names).toEqual(expect.arrayContaining(["Deployment/web", "ConfigMap/survivor"]));
    expect(r.names).not.toContain("NetworkPolicy/deny-all");
  });

  it.each([
    ["`... # end`", "... # end"],
    ["`--- !!map` (a marker with content, which kubectl does not cut at)", "--- !!map"],
  ])("the same after %s", async (_, between) => {
    const r = await audit({ "case/app.yaml": app(between) });
    expect(r.code).toBe(2);
    expect(r.errors).toEqual(["YAML_DOCUMENT_MARKER case/app.yaml:17"]);
    expect(r.failing).toEqual(["net-default-deny shop"]);
  });

  it.each([
    ["`---`", "---"],
    ["`--- # comment`", "--- # comment"],
    ["`...` then `---`", "...\n---"],
    ["`---` then CRLF", "---\r"],
  ])("after %s, kubectl applies both documents: the policy is audited and the namespace passes", async (_, between) => {
    const r = await audit({ "case/app.yaml": app(between) });
    expect(r.errors).toEqual([]);
    expect(r.failing).toEqual([]);
    expect(r.names).toContain("NetworkPolicy/deny-all");
    expect(r.code).toBe(0);
  });

  it("a byte-order mark that starts a part after `---` is dropped, as go-yaml drops it: the policy is audited", async () => {
    const r = await audit({ "case/app.yaml": `${WORKLOAD}---\n\ufeff${DENY_ALL}` });
    expect(r.errors).toEqual([]);
    expect(r.failing).toEqual([]);
    expect(r.names).toContain("NetworkPolicy/deny-all");
    expect(r.code).toBe(0);
  });

  it("a finding in a part opened by a byte-order mark points at its field's line", async () => {
    const root = tempTree({
      "case/app.yaml": `${DENY_ALL}---\n\ufeff${WORKLOAD}          securityContext:\n            privileged: true\n`,
    });
    const r = await runCli([join(root, "case"), "--controls", "pod-restricted-context", "--no-config", "--format", "json"]);
    const report = JSON.parse(r.stdout) as AuditReport;
    const runAsNonRoot = report.findings.find((f) => f.status === "fail" && f.messageId === "runAsNonRoot");
    expect(runAsNonRoot?.location).toMatchObject({ line: 25, column: 11, via: "field", objectLines: [10, 26] });
    expect(r.code).toBe(1);
  });

  it("a `---#` line inside a document is where kubectl cuts it: an input error, not one object", async () => {
    const r = await audit({
      "case/app.yaml": `${WORKLOAD}---\n{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: shop}, data: {x:\n---#\n y}}\n`,
    });
    expect(r.code).toBe(2);
    expect(r.errors).toEqual(["YAML_DOCUMENT_MARKER case/app.yaml:18"]);
  });
});
