import { describe, expect, it } from "vitest";
import { unitKeys } from "../../src/cache/units.js";
import type { AuditUnit } from "../../src/types.js";

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
