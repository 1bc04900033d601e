/**
 * A string with a UTF-16 surrogate escape and no pair (`"\ud800"`) is no string kubectl sends: its YAML
 * reader rejects the escape, and the policies' wasm JSON reader cannot read it either (it aborted the
 * whole run, with no report). Such an object is an input error at its field, not evaluated; every other
 * object is still audited, and an engine handed one anyway judges it as an error, not a pass: at the
 * webhook, a review whose object holds one is denied.
 */
import { describe, expect, it } from "vitest";
import { AdmissionEvaluator } from "../../src/admission/evaluator.js";
import { DEFAULT_LIMITS } from "../../src/admission/limits.js";
import { handleReview } from "../../src/admission/review.js";
import type { DecisionOptions } from "../../src/admission/types.js";
import { loadCatalog } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { RegoEngine } from "../../src/engines/rego.js";
import { loneSurrogatePath } from "../../src/k8s/unicode.js";
import { refOf } from "../../src/k8s/workloads.js";
import type { AuditReport } from "../../src/report/types.js";
import type { AuditUnit, K8sObject } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";

const PLANTED = `apiVersion: v1
kind: ConfigMap
metadata: {name: weird, namespace: erlmcp}
data:
  ok: "plain"
  k: "x\\udc00y"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: "deny\\ud800", namespace: erlmcp}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "erlmcp"}, "stringData": {"\\ud83d": "x"}}
`;

describe("lone surrogate escapes", () => {
  it("are input errors at their field (YAML and JSON, keys and values); the good manifest is audited", async () => {
    const root = tempTree({ "case/planted.yaml": PLANTED, "good/deployment.yaml": SURVIVOR_DEPLOYMENT });
    const run = await runCli([root, "--no-config", "--format", "json"]);
    expect(run.code, run.stderr).toBe(2);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.inputErrors.map((e) => [e.code, e.file.split("/").pop(), e.line, e.column])).toEqual([
      ["INVALID_UNICODE", "planted.yaml", 6, 3],
      ["INVALID_UNICODE", "planted.yaml", 10, 12],
      ["INVALID_UNICODE", "planted.yaml", 13, expect.any(Number)],
    ]);
    expect(report.inputErrors[1]?.message).toContain("NetworkPolicy erlmcp/deny\ufffd: metadata.name");
    expect(report.findings.filter((f) => f.status === "error")).toEqual([]);
    expect(report.findings.some((f) => f.resource.name === "survivor" && f.status !== "error")).toBe(true);
    expect(report.findings.filter((f) => ["weird", "s"].includes(f.resource.name) || f.resource.name.startsWith("deny"))).toEqual([]);
  });

  it("loneSurrogatePath finds them at any depth and passes full pairs", () => {
    expect(loneSurrogatePath({ a: [{ b: "ok \ud83d\ude00" }], c: { "\ud83d\ude00": 1 } })).toBeUndefined();
    expect(loneSurrogatePath({ a: [{ b: "x" }, { c: "\ude00" }] })).toEqual(["a", 1, "c"]);
    expect(loneSurrogatePath({ a: { "k\ud800": 1 } })).toEqual(["a", "k\ud800"]);
  });

  it("handed to the Rego engine anyway: an error verdict for that object, and the next objects and inputs judged as before", async () => {
    const controls = loadCatalog().filter((c) => ["sec-no-literal-credentials", "net-default-deny"].includes(c.id));
    const engine = new RegoEngine();
    await engine.prepare(controls);
    const bad = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad", namespace: "n" }, data: { k: "\ud800" } } as K8sObject;
    const good = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "good", namespace: "n" },
      data: { password: "hunter2" },
    } as K8sObject;
    const snlc = controls.find((c) => c.id === "sec-no-literal-credentials")!;
    const checks = [{ control: snlc, params: resolveParams(snlc, "production") }];
    const [failed] = engine.evaluateObject(bad, refOf(bad), checks);
    expect(failed?.violations).toEqual([]);
    expect(failed?.errors[0]?.message).toMatch(/could not read the object/);
    const [judged] = engine.evaluateObject(good, refOf(good), checks);
    expect(judged?.violations.map((v) => v.messageId)).toEqual(["configMapCredentialKey"]);

    const ns = (name: string): K8sObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
    const unit = (objects: K8sObject[]): AuditUnit =>
      ({
        id: "u",
        profile: "production",
        resources: objects.map((object) => ({ object, ref: refOf(object), source: { file: "f", line: 1 } })),
      }) as unknown as AuditUnit;
    const deny = controls.find((c) => c.id === "net-default-deny")!;
    const context = { paramsFor: () => resolveParams(deny, "production") };
    const broken = unit([ns("a"), { ...ns("b"), metadata: { name: "b", labels: { x: "\udfff" } } }]);
    const [errored] = await engine.evaluate(broken, [deny], context);
    expect(errored?.errors.length).toBeGreaterThan(0);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "a" },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "x" }] } },
      },
    } as K8sObject;
    const fine = unit([ns("a"), deployment]);
    const [after] = await engine.evaluate(fine, [deny], context);
    const fresh = new RegoEngine();
    await fresh.prepare([deny]);
    const [expected] = await fresh.evaluate(unit([ns("a"), deployment]), [deny], context);
    expect(after?.violations.length).toBeGreaterThan(0);
    expect(after).toEqual(expected);
  });

  it("at the webhook: a review whose object holds one, as a key or a value at any depth, is denied; without it, allowed", async () => {
    const evaluator = await AdmissionEvaluator.load({ config: {}, waivers: [], profile: "production" });
    const options: DecisionOptions = { denyOn: "high", mode: "enforce", onError: "deny", excludeNamespaces: [], limits: DEFAULT_LIMITS };
    const labels = {
      "app.kubernetes.io/name": "erlmcp",
      "app.kubernetes.io/instance": "erlmcp",
      "app.kubernetes.io/version": "3",
      "app.kubernetes.io/part-of": "erlmcp",
      "app.kubernetes.io/managed-by": "helm",
    };
    const allowedAs = (object: Record<string, unknown>) => {
      const body = JSON.stringify({
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        request: { uid: "u1", kind: { kind: object.kind }, operation: "CREATE", namespace: "erlmcp", userInfo: { username: "t" }, object },
      });
      return (JSON.parse(handleReview(body, evaluator, options, new Date()).body) as { response: { allowed: boolean } }).response.allowed;
    };
    const configMap = (data: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "erlmcp", labels },
      data,
    });
    const service = (annotations: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "erlmcp", labels, annotations },
      spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ name: "http", port: 80 }] },
    });
    // Low-severity controls only judge a ConfigMap's and a Service's labels: the error verdict denies, whatever its severity.
    expect(allowedAs(configMap({ a: "plain" }))).toBe(true);
    expect(allowedAs(configMap({ a: "x\udc00y" }))).toBe(false);
    expect(allowedAs(configMap({ "\ud83d": "x" }))).toBe(false);
    expect(allowedAs(service({ note: "fine" }))).toBe(true);
    expect(allowedAs(service({ note: "\ud800" }))).toBe(false);
  });
});
