import { describe, expect, it } from "vitest";
import { AdmissionEvaluator } from "../../src/admission/evaluator.js";
import { stripNullKeys } from "../../src/k8s/strip-nulls.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import type { K8sObject } from "../../src/types.js";

const helmRendered = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: apps
  labels: null
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: web
      image: example/web:1.0
      securityContext: {runAsNonRoot: null, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      args: [null, "--port=8080"]
`;

describe("JSON null is unset", () => {
  it("drops null-valued keys at any depth and keeps list items in place", () => {
    expect(stripNullKeys({ a: null, b: { c: null, d: 0, e: false, f: "" }, g: [null, { h: null, i: 1 }] })).toEqual({
      b: { d: 0, e: false, f: "" },
      g: [null, { i: 1 }],
    });
  });

  it("hands back the value itself when it holds no null-valued key, else a copy, never changing the value", () => {
    const clean = JSON.parse('{"a": {"b": [null, {"c": 1}]}, "__proto__": {"d": 0}}');
    expect(stripNullKeys(clean)).toBe(clean);
    const withNull = JSON.parse('{"a": {"b": [{"c": null, "d": 1}]}, "e": 2, "__proto__": {"f": null}}');
    const before = structuredClone(withNull);
    const out = stripNullKeys(withNull);
    expect(out).not.toBe(withNull);
    expect(withNull).toEqual(before);
    expect(JSON.stringify(out)).toBe('{"a":{"b":[{"d":1}]},"e":2,"__proto__":{}}');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it("the loaders hand every engine the object without its null keys", () => {
    const [pod] = parseManifestStream(helmRendered, { file: "pod.yaml" }).resources;
    expect(pod!.object.metadata).toEqual({ name: "web", namespace: "apps" });
    const container = (pod!.object.spec as any).containers[0];
    expect("runAsNonRoot" in container.securityContext).toBe(false);
    expect(container.args).toEqual([null, "--port=8080"]);
  });

  it("at admission a container-level runAsNonRoot: null falls back to the pod-level true", async () => {
    const evaluator = await AdmissionEvaluator.load({ config: {}, waivers: [], profile: "production" });
    const object = parseManifestStream(helmRendered, { file: "pod.yaml" }).resources[0]!.object;
    const raw = { ...object, spec: { ...(object.spec as object), containers: [{ ...(object.spec as any).containers[0] }] } } as K8sObject;
    (raw.spec as any).containers[0].securityContext = { ...(raw.spec as any).containers[0].securityContext, runAsNonRoot: null };
    const ids = (o: K8sObject) => evaluator.evaluate(o, new Date("2026-01-01T00:00:00Z")).map((f) => `${f.controlId} ${f.messageId}`);
    expect(ids(raw)).not.toContain("pod-restricted-context runAsNonRoot");
    (raw.spec as any).securityContext = { ...(raw.spec as any).securityContext, runAsNonRoot: null };
    expect(ids(raw)).toContain("pod-restricted-context runAsNonRoot");
  });
});
