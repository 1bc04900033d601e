import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCache } from "../../src/cache/store.js";
import { unitKeys } from "../../src/cache/units.js";
import { parseThroughCache } from "../../src/loaders/parse-cached.js";
import type { AuditUnit, Resource } from "../../src/types.js";

/** A unit of one resource whose `spec.value` is `value`, read from the same file bytes every time. */
const unitWith = (value: unknown): AuditUnit =>
  ({
    id: "in",
    kind: "files",
    path: "in",
    profile: "production",
    resources: [
      {
        ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "a", name: "b" },
        source: { file: "in/a.yaml", line: 1, documentIndex: 0 },
        object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "a" }, spec: { value } },
      },
    ],
  }) as unknown as AuditUnit;

const keyOf = (unit: AuditUnit) =>
  unitKeys([unit], { runKey: "run", inputs: [{ path: "in/a.yaml", sha256: "0".repeat(64), bytes: 1 }], texts: new Map() })[0];

describe("a unit's cache key", () => {
  // YAML gives values JSON prints alike (.nan and .inf print as null, a !!set as {}, !!binary as an object of indices).
  it.each([
    ["NaN", Number.NaN, null],
    ["Infinity", Number.POSITIVE_INFINITY, null],
    ["a Set", new Set(["x"]), {}],
    ["a Map", new Map([["x", 1]]), {}],
    ["bytes", new Uint8Array([120]), { 0: 120 }],
    ["a BigInt", 10n, "10"],
  ])("tells %s from the value JSON prints for it", (_name, exotic, plain) => {
    expect(keyOf(unitWith(exotic))).toBeDefined();
    expect(keyOf(unitWith(exotic))).not.toBe(keyOf(unitWith(plain)));
  });

  it("is the same for equal units and differs for a changed value", () => {
    expect(keyOf(unitWith("x"))).toBe(keyOf(unitWith("x")));
    expect(keyOf(unitWith("x"))).not.toBe(keyOf(unitWith("y")));
  });

  it("is absent for a unit JSON cannot hold (a cycle): such a unit is never cached", () => {
    const object: Record<string, unknown> = {};
    object.self = object;
    expect(keyOf(unitWith(object))).toBeUndefined();
  });
});

describe("a unit's cache key from where its resources were parsed", () => {
  const cache = openCache(mkdtempSync(join(tmpdir(), "unit-keys-")));
  const parsed = async (file: string, text: string) => (await parseThroughCache(Buffer.from(text), { file }, cache)).resources;
  const unitOf = (resources: Resource[]): AuditUnit => ({ id: "in", kind: "files", path: "in", profile: "production", resources });
  const config = (name: string, value = "1") =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: a}\ndata: {k: "${value}"}\n`;

  it("is the key of the same resources parsed again, and differs for other bytes, another name or another order", async () => {
    const a = await parsed("in/a.yaml", config("a"));
    const b = await parsed("in/b.yaml", config("b"));
    const key = keyOf(unitOf([...a, ...b]));
    expect(key).toBeDefined();
    expect(keyOf(unitOf([...(await parsed("in/a.yaml", config("a"))), ...(await parsed("in/b.yaml", config("b")))]))).toBe(key);
    expect(keyOf(unitOf([...(await parsed("in/a.yaml", config("a", "2"))), ...b]))).not.toBe(key);
    expect(keyOf(unitOf([...(await parsed("in/c.yaml", config("a"))), ...b]))).not.toBe(key);
    expect(keyOf(unitOf([...b, ...a]))).not.toBe(key);
    expect(keyOf({ ...unitOf([...a, ...b]), profile: "staging" })).not.toBe(key);
  });

  it("is the key of the resources' content when one of them was not parsed under the cache", async () => {
    const a = await parsed("in/a.yaml", config("a"));
    const other = unitWith("x").resources;
    const key = keyOf(unitOf([...a, ...other]));
    expect(key).toBeDefined();
    expect(keyOf(unitOf([...a, ...unitWith("y").resources]))).not.toBe(key);
    // Without the cache, nothing records where a resource came from: the same stream keys by its content.
    const uncached = (await parseThroughCache(Buffer.from(config("a")), { file: "in/a.yaml" }, undefined)).resources;
    expect(keyOf(unitOf(uncached))).toBe(keyOf(unitOf(structuredClone(a))));
  });
});
