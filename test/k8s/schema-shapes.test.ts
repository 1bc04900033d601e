/**
 * The type check remembers the unknown fields of each error-free shape (src/k8s/schema/validate.ts): a
 * value of a shape seen before is validated as a plain copy. What it reports must not depend on what was
 * checked before it: every value problem is still found, shapes of different kinds or paths never mix,
 * nulls and `__proto__` keys read as on the first check, and every fixture and reference manifest gets
 * the same problems with the memory empty and full.
 */
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { checkObjectTypes, forgetShapes, shapeOf } from "../../src/k8s/schema/validate.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { K8sObject } from "../../src/types.js";
import { FIXTURES_DIR } from "../fixture-files.js";
import { objectsIn } from "../helpers/manifest-objects.js";

const service = (port: unknown, protocol: unknown, extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "shop" },
  spec: { selector: { app: "web" }, ports: [{ name: "http", port, protocol, ...extra }] },
});

const problems = async (object: K8sObject) => (await checkObjectTypes(object)).problems.map((p) => `${p.path.join(".")}: ${p.message}`);

beforeEach(() => forgetShapes());

describe("the type check's memory of shapes", () => {
  it("still finds a bad value in a value of a remembered shape (enum, int32 range)", async () => {
    expect(await problems(service(80, "TCP"))).toEqual([]);
    expect(await problems(service(80, "BOGUS"))).toEqual([expect.stringMatching(/^spec\.ports\.0\.protocol: /)]);
    expect(await problems(service(2 ** 40, "TCP"))).toEqual([expect.stringMatching(/^spec\.ports\.0\.port: /)]);
    expect(await problems(service(80, "TCP"))).toEqual([]);
  });

  it("reports the unknown fields of a remembered shape again, at their own paths, in a copy", async () => {
    const first = await checkObjectTypes(service(80, "TCP", { hostPort: 8080 }));
    expect(first.problems.map((p) => p.path)).toEqual([["spec", "ports", 0, "hostPort"]]);
    first.problems[0]!.path.push("mutated by a caller");
    const again = await checkObjectTypes(service(443, "UDP", { hostPort: 1 }));
    expect(again.problems).toEqual([{ path: ["spec", "ports", 0, "hostPort"], message: 'unknown field "hostPort"' }]);
  });

  it("keeps shapes of different kinds apart: a ConfigMap's text is no Secret's base64", async () => {
    const data = { key: "not base64!" };
    expect(await problems({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data })).toEqual([]);
    expect(await problems({ apiVersion: "v1", kind: "Secret", metadata: { name: "c" }, data })).toEqual([
      expect.stringMatching(/^data\.key: /),
    ]);
  });

  it("keeps the same shape at different paths apart (pod specs embedded in unknown kinds)", async () => {
    const pod = { containers: [{ name: "a", image: "x", bogus: 1 }] };
    const at = async (kind: string, spec: object) =>
      problems({ apiVersion: "example.com/v1", kind, metadata: { name: "n" }, spec } as K8sObject);
    expect(await at("Thing", { template: { spec: pod } })).toEqual([]);
    expect(await at("Thing", { template: { spec: { containers: [{ name: "a", image: 1 }] } } })).toEqual([
      expect.stringMatching(/^spec\.template\.spec\.containers\.0\.image: /),
    ]);
  });

  it("reads a null field as unset whether the shape is new or remembered, and a null list item as a value", async () => {
    const withNull = { ...service(80, "TCP"), spec: { ...(service(80, "TCP").spec as object), clusterIP: null } } as K8sObject;
    expect(shapeOf(withNull)).toEqual({ signature: shapeOf(service(80, "TCP"))!.signature, nullFields: true });
    expect(await problems(withNull)).toEqual([]);
    expect(await problems(service(80, "TCP"))).toEqual([]);
    expect(await problems(withNull)).toEqual([]);
    const args = (list: unknown[]): K8sObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "a", image: "x", args: list }] },
    });
    expect(await problems(args(["a", "b"]))).toEqual([]);
    expect(shapeOf(args(["a", null]))!.signature).not.toBe(shapeOf(args(["a", "b"]))!.signature);
    expect(await problems(args(["a", null]))).toEqual([expect.stringMatching(/^spec\.containers\.0\.args\.1: /)]);
  });

  it("tells keys apart that a separator could confuse, and scalar types apart", () => {
    expect(shapeOf({ "a:1": 1 })!.signature).not.toBe(shapeOf({ a: { "1": 1 } })!.signature);
    expect(shapeOf({ ab: "x" })!.signature).not.toBe(shapeOf({ a: "x", b: "x" })!.signature);
    expect(new Set([1, 1.5, "1", true].map((v) => shapeOf({ v })!.signature)).size).toBe(4);
    expect(shapeOf({ ["x".repeat(10)]: "v" }, 8)).toBeUndefined();
    expect(shapeOf({ ["x".repeat(10)]: "v" }, 32)).toBeDefined();
  });

  it("keeps a `__proto__` key an own field on the remembered path too", async () => {
    const sneaky = (): K8sObject => {
      const metadata = { name: "c" } as Record<string, unknown>;
      Object.defineProperty(metadata, "__proto__", {
        value: { namespace: "kube-system" },
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return { apiVersion: "v1", kind: "ConfigMap", metadata } as K8sObject;
    };
    const first = await problems(sneaky());
    expect(first).toEqual(['metadata.__proto__: unknown field "__proto__"']);
    expect(await problems(sneaky())).toEqual(first);
  });

  it("checks a value too large to remember by itself, each time", async () => {
    const data = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key-${i}`, "v"]));
    const big = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data, bogus: true } as K8sObject;
    expect(shapeOf(big)).toBeUndefined();
    expect(await problems(big)).toEqual(['bogus: unknown field "bogus"']);
    expect(await problems(big)).toEqual(['bogus: unknown field "bogus"']);
  });

  it("gives every fixture and reference manifest the same problems with the memory empty and full", async () => {
    const real = [...objectsIn(FIXTURES_DIR), ...objectsIn(join(PACKAGE_ROOT, "manifests"))];
    expect(real.length).toBeGreaterThan(500);
    // Each also with an unknown field at the top and in its spec, as a mistyped key would add.
    const objects = real.flatMap((o) => [
      o,
      { ...o, bogus: 1 },
      ...(o.spec && typeof o.spec === "object" && !Array.isArray(o.spec) ? [{ ...o, spec: { ...o.spec, replica: 2 } }] : []),
    ]);
    const cold: string[][] = [];
    for (const o of objects) {
      forgetShapes();
      cold.push(await problems(o));
    }
    forgetShapes();
    for (const o of objects) await problems(o);
    const warm: string[][] = [];
    for (const o of objects) warm.push(await problems(o));
    expect(warm).toEqual(cold);
    expect(cold.some((p) => p.some((m) => m.includes("unknown field")))).toBe(true);
  });
});
