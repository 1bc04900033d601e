import { describe, expect, it } from "vitest";
import { configMapTextEntries, configMapTexts, effectiveEnv, fromSecret, literalValue, providedEnvKeys } from "../../src/k8s/env.js";
import type { K8sObject } from "../../src/types.js";

const objects: K8sObject[] = [
  { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n" }, data: { RELEASE_COOKIE: "eA==" } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n" }, binaryData: { RELEASE_COOKIE: "eA==" } },
];
const keysOf = providedEnvKeys(objects)("n");

describe("effective env", () => {
  it("a later env entry of a name wins, and env overrides envFrom", () => {
    const env = effectiveEnv(
      {
        envFrom: [{ secretRef: { name: "s" } }],
        env: [
          { name: "RELEASE_COOKIE", value: "1" },
          { name: "RELEASE_COOKIE", value: "2" },
        ],
      },
      keysOf,
    );
    expect(literalValue(env.get("RELEASE_COOKIE"))).toBe("2");
  });

  it("a later envFrom source overrides an earlier one; ConfigMap binaryData keys are variables", () => {
    const env = effectiveEnv({ envFrom: [{ secretRef: { name: "s" } }, { configMapRef: { name: "c" } }] }, keysOf);
    const source = env.get("RELEASE_COOKIE")!;
    expect(source).toMatchObject({ from: "envFrom", kind: "configMap", name: "c" });
    expect(fromSecret(source)).toBeUndefined();
  });

  it("applies the prefix and adds nothing for a source the set does not show", () => {
    const env = effectiveEnv({ envFrom: [{ secretRef: { name: "s" }, prefix: "APP_" }, { secretRef: { name: "elsewhere" } }] }, keysOf);
    expect([...env.keys()]).toEqual(["APP_RELEASE_COOKIE"]);
  });
});

describe("ConfigMap texts", () => {
  it("reads data as written and binaryData decoded; invalid base64 is skipped and binary bytes do not throw", () => {
    const texts = new Map(
      configMapTexts({
        apiVersion: "v1",
        kind: "ConfigMap",
        data: { a: "x" },
        binaryData: { b: "LXNldGNvb2tpZSBhYmM=", png: "iVBORw0KGgo=", bad: "%%" },
      }),
    );
    expect(texts.get("a")).toBe("x");
    expect(texts.get("b")).toBe("-setcookie abc");
    expect(texts.has("png")).toBe(true);
    expect(texts.has("bad")).toBe(false);
  });

  it("names the field each text is read from", () => {
    const entries = configMapTextEntries({
      apiVersion: "v1",
      kind: "ConfigMap",
      data: { a: "x", n: 1 },
      binaryData: { b: "LXNldGNvb2tpZSBhYmM=", bad: "%%" },
    });
    expect(entries).toEqual([
      { field: "data", key: "a", text: "x" },
      { field: "binaryData", key: "b", text: "-setcookie abc" },
    ]);
  });
});
