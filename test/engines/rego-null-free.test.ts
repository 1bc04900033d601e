/**
 * Policies read the reviewed object as the API server stores it, without null-valued keys
 * (lib.k8s reviewed_object). The in-process engine tells them an object holds none (`nullFree`) only
 * after checking it: an object handed to the engine with nulls (a library caller, not the loader) must
 * be judged as its stripped copy, never as written.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { RegoEngine } from "../../src/engines/rego.js";
import { holdsNoNullKey, stripNullKeys } from "../../src/k8s/strip-nulls.js";
import { refOf } from "../../src/k8s/workloads.js";
import { POLICIES_DIR, PACKAGE_ROOT } from "../../src/paths.js";
import type { K8sObject } from "../../src/types.js";
import { objectsIn } from "../helpers/manifest-objects.js";

describe("holdsNoNullKey", () => {
  it("is false for a null-valued key at any depth, true for null list items", () => {
    expect(holdsNoNullKey({ a: [null, { b: 1 }], c: "x" })).toBe(true);
    expect(holdsNoNullKey({ a: [{ b: { c: null } }] })).toBe(false);
    expect(holdsNoNullKey(JSON.parse('{"a": {"__proto__": null}}'))).toBe(false);
    expect(holdsNoNullKey(stripNullKeys({ a: { b: null, c: [{ d: null }] } }))).toBe(true);
  });
});

describe("an object with null-valued keys is judged as the API server stores it", () => {
  const readers = loadCatalog().filter(
    (c) => c.scope === "object" && readFileSync(join(POLICIES_DIR, c.id, "policy.rego"), "utf8").includes("k8s.reviewed_object"),
  );

  it("every control reading reviewed_object: each key of each fixture object set to null in turn", async () => {
    expect(readers.map((c) => c.id).sort()).toEqual(["pod-restricted-context", "sec-no-literal-credentials", "sec-no-plaintext-secrets"]);
    const engine = new RegoEngine();
    await engine.prepare(readers);
    const checks = readers.map((control) => ({ control, params: resolveParams(control, "production") }));
    const judge = (object: K8sObject) => {
      const ref = refOf(object);
      return engine.evaluateObject(object, ref, checks).map((v) => [v.controlId, v.violations.map((x) => [x.messageId, x.path])]);
    };
    let cases = 0;
    const changed = new Set<string>();
    for (const control of readers) {
      for (const object of objectsIn(join(PACKAGE_ROOT, "fixtures", control.id))) {
        const written = judge(object);
        for (const path of keyPaths(object)) {
          const withNull = structuredClone(object) as Record<string, unknown>;
          let at: Record<string, unknown> = withNull;
          for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
          at[path.at(-1) as string] = null;
          const stripped = judge(stripNullKeys(withNull) as K8sObject);
          expect({ path, verdicts: judge(withNull as K8sObject) }).toEqual({ path, verdicts: stripped });
          if (JSON.stringify(stripped) !== JSON.stringify(written)) changed.add(path.join("."));
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(300);
    expect(changed.size).toBeGreaterThan(20);
  });
});

/** The path of every mapping key, at any depth (list positions as text). */
function keyPaths(value: unknown, at: string[] = []): string[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyPaths(item, [...at, String(i)]));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => [[...at, key], ...keyPaths(item, [...at, key])]);
}

describe("holdsNoNullKey on what stripNullKeys returned", () => {
  it("answers without walking it, and still walks an equal object that was not stripped", () => {
    const stripped = stripNullKeys({ a: { b: null, c: 1 } });
    expect(holdsNoNullKey(stripped)).toBe(true);
    const inherited = Object.assign(Object.create({ hidden: null }) as object, { a: 1 });
    expect(holdsNoNullKey(inherited)).toBe(true);
    expect(holdsNoNullKey(JSON.parse('{"a": {"c": 1, "d": null}}'))).toBe(false);
  });
});
