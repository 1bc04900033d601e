/**
 * A key named `__proto__` is a key like any other to the API server (a valid ConfigMap key; an unknown
 * field of ObjectMeta). Assigned in JavaScript it sets the object's prototype instead: the ConfigMap's
 * key vanished before any engine saw it (a cookie hidden there passed), and `metadata.__proto__` supplied
 * a namespace that only the TypeScript engine read. Planted in YAML block and flow maps and in JSON, in
 * files and in an admission request: the cookie is found by both engines and denied by the webhook, and
 * the unknown metadata field is the input error the API server's strict decoding makes it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type AdmissionServer } from "../../src/admission/server.js";
import type { AuditReport } from "../../src/report/types.js";
import { admissionReview, call, selfSignedCert, testServerOptions, withRawJson } from "../admission/helpers.js";
import { auditTree, expectVerdict, failingFindings } from "../helpers/audit-tree.js";
import { SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";

const ID = "sec-no-literal-credentials";
const COOKIE = "-setcookie k9f3Qz7vLw2";

const failing = (report: AuditReport) =>
  failingFindings(report, (f) => `${f.resource.kind}/${f.resource.name} ${f.messageId} ${f.path} line ${f.location?.line}`);

describe("a __proto__ key is read as the API server reads it", () => {
  it.each([
    ["a block map", `data:\n  __proto__: "${COOKIE}"\n  mode: cluster\n`, 5],
    ["a flow map", `data: {__proto__: "${COOKIE}", mode: cluster}\n`, 4],
  ])("a cookie under a ConfigMap's __proto__ key in %s is found by both engines, on its line", async (_how, data, line) => {
    const planted = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden, namespace: erlmcp}\n${data}`;
    expectVerdict(await auditTree({ "planted.yaml": planted, "survivor.yaml": SURVIVOR_DEPLOYMENT }, ID), failing, [
      `ConfigMap/hidden configMapSetcookie data.__proto__ line ${line}`,
    ]);
  });

  it("a cookie under a ConfigMap's __proto__ key in JSON is found by both engines", async () => {
    const planted = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "hidden", namespace: "erlmcp" } }).replace(
      /}$/,
      `,"data":{"__proto__":${JSON.stringify(COOKIE)}}}`,
    );
    expectVerdict(await auditTree({ "planted.json": planted }, ID), failing, ["ConfigMap/hidden configMapSetcookie data.__proto__ line 1"]);
  });

  it("metadata.__proto__ is an unknown field, not a prototype that supplies the namespace", async () => {
    const planted = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\n  __proto__: {namespace: kube-system}\ndata: {mode: cluster}\n`;
    const { code, report } = await auditTree({ "planted.yaml": planted, "survivor.yaml": SURVIVOR_DEPLOYMENT }, "pod-namespace-placement");
    expect(report.inputErrors.map((e) => [e.code, e.message.replace(/ \(.*$/, "")])).toEqual([
      ["SCHEMA", 'ConfigMap odd: metadata.__proto__: unknown field "__proto__"'],
    ]);
    expect(report.disagreements).toEqual([]);
    expect(code).toBe(2);
  });
});

describe("a __proto__ key in an admission request", () => {
  const dir = tempTree({});
  const { cert, key } = selfSignedCert(dir);
  let server: AdmissionServer;
  beforeAll(async () => {
    server = await startServer(testServerOptions(dir, { cert, key }, { excludeNamespaces: [], workers: 1, timeoutMs: 5000 }));
    await server.ready;
  });
  afterAll(() => server?.close());

  it("is kept: the cookie under it is denied", async () => {
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "hidden", namespace: "erlmcp" }, data: { mode: "MARKER" } };
    const body = withRawJson(admissionReview("proto", configMap), "MARKER", `"cluster", "__proto__": ${JSON.stringify(COOKIE)}`);
    const { response } = (await call(server.port, cert, "/validate", { body })).json();
    expect(response.allowed).toBe(false);
    expect(response.status.message).toContain(`- ${ID} (`);
  });
});
