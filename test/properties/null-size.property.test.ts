/**
 * "Null is unset" and "size is the range the workload can take" (issue 13), TypeScript and Rego against
 * small references written from the Kubernetes documentation:
 * - null: the API server decodes a manifest into typed fields, so a key holding null is absent; the
 *   reference is JSON.stringify with a replacer that omits null members of objects (list items stay);
 * - size: with no HPA or KEDA ScaledObject targeting the workload, its size is `replicas` (unset = 1);
 *   otherwise every value some scaler allows (HPA minReplicas default 1 .. maxReplicas; ScaledObject
 *   minReplicaCount default 0 .. maxReplicaCount default 100, target kind default Deployment; sizes
 *   below 1 count as 1); the reference enumerates those sizes and takes their least and greatest.
 */
import fc from "fast-check";
import { opaProbe } from "../helpers/opa-probe.js";
import { describe, expect, it } from "vitest";
import { sizeRange } from "../../src/k8s/workloads.js";
import { stripNullKeys } from "../../src/k8s/strip-nulls.js";
import type { K8sObject } from "../../src/types.js";

const RUNS = 500;

/** Evaluates `data.prop.x` of a module next to policies/lib with the real opa. */
function evalRego(module: string, input: unknown): unknown {
  return opaProbe<unknown>(module.split("\n"), input, [], "data.prop.x");
}

/** Reference: what the API server keeps of a decoded manifest (null members of objects omitted). */
function referenceWithoutNulls(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
      return v === null && key !== "" && !Array.isArray(this) ? undefined : v;
    }),
  );
}

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom("", "x", "null"),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "runAsNonRoot", "0", "x/y"), tie("value"), { maxKeys: 4 }),
  ),
})).value;
const document = fc.dictionary(fc.constantFrom("metadata", "spec", "a", "b"), json, { maxKeys: 4 });

describe("null is unset (property): TypeScript and Rego drop every null-valued key, as the reference", () => {
  const docs = fc.sample(document, { numRuns: RUNS, seed: 21 });

  it(`stripNullKeys equals the reference (${RUNS} documents)`, () => {
    fc.assert(
      fc.property(document, (d) => {
        expect(stripNullKeys(d)).toEqual(referenceWithoutNulls(d));
      }),
      { numRuns: RUNS, seed: 21 },
    );
  });

  it(`lib.k8s.without_nulls equals the reference (${RUNS} documents, one opa run)`, () => {
    const rego = evalRego("package prop\n\nx := [data.lib.k8s.without_nulls(d) | some d in input]\n", docs) as unknown[];
    const differ = docs.flatMap((d, i) => (JSON.stringify(rego[i]) === JSON.stringify(sortKeys(referenceWithoutNulls(d))) ? [] : [d]));
    expect(differ.slice(0, 3)).toEqual([]);
    expect(docs.some((d) => JSON.stringify(d).includes("null"))).toBe(true);
  });
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const workload = fc.record({
  kind: fc.constantFrom("Deployment", "StatefulSet"),
  name: fc.constantFrom("web", "db"),
  replicas: maybe(fc.integer({ min: 0, max: 6 })),
});
const scaler = fc.oneof(
  fc.record({
    type: fc.constant("hpa" as const),
    apiVersion: fc.constantFrom("autoscaling/v2", "autoscaling/v1", "example.com/v1"),
    kind: maybe(fc.constantFrom("Deployment", "StatefulSet")),
    name: fc.constantFrom("web", "db"),
    namespace: fc.constantFrom("n", "other"),
    min: maybe(fc.integer({ min: 0, max: 6 })),
    max: maybe(fc.integer({ min: 0, max: 9 })),
  }),
  fc.record({
    type: fc.constant("keda" as const),
    apiVersion: fc.constantFrom("keda.sh/v1alpha1", "example.com/v1"),
    kind: maybe(fc.constantFrom("Deployment", "StatefulSet")),
    name: fc.constantFrom("web", "db"),
    namespace: fc.constantFrom("n", "other"),
    min: maybe(fc.integer({ min: 0, max: 6 })),
    max: maybe(fc.integer({ min: 0, max: 9 })),
  }),
);
const sizeCase = fc.record({ workload, scalers: fc.array(scaler, { maxLength: 3 }) });
type SizeCase = typeof sizeCase extends fc.Arbitrary<infer T> ? T : never;

function objectsOf(c: SizeCase): { workload: K8sObject; objects: K8sObject[] } {
  const w: K8sObject = {
    apiVersion: "apps/v1",
    kind: c.workload.kind,
    metadata: { name: c.workload.name, namespace: "n" },
    spec: c.workload.replicas === undefined ? {} : { replicas: c.workload.replicas },
  };
  const scalers = c.scalers.map((s): K8sObject => {
    const ref = { ...(s.kind ? { kind: s.kind } : {}), name: s.name };
    const spec =
      s.type === "hpa"
        ? {
            scaleTargetRef: ref,
            ...(s.min === undefined ? {} : { minReplicas: s.min }),
            ...(s.max === undefined ? {} : { maxReplicas: s.max }),
          }
        : {
            scaleTargetRef: ref,
            ...(s.min === undefined ? {} : { minReplicaCount: s.min }),
            ...(s.max === undefined ? {} : { maxReplicaCount: s.max }),
          };
    return {
      apiVersion: s.apiVersion,
      kind: s.type === "hpa" ? "HorizontalPodAutoscaler" : "ScaledObject",
      metadata: { name: "s", namespace: s.namespace },
      spec,
    };
  });
  return { workload: w, objects: [w, ...scalers] };
}

/** Reference: every size some targeting scaler allows, else the replicas; least and greatest. */
function referenceRange(c: SizeCase): [number, number] {
  const sizes = new Set<number>();
  for (const s of c.scalers) {
    const hpa = s.type === "hpa" && s.apiVersion.startsWith("autoscaling/");
    const keda = s.type === "keda" && s.apiVersion === "keda.sh/v1alpha1";
    const kind = s.kind ?? (keda ? "Deployment" : undefined);
    if (!(hpa || keda) || s.namespace !== "n" || s.name !== c.workload.name || kind !== c.workload.kind) continue;
    const lo = Math.max(1, s.min ?? (hpa ? 1 : 0));
    const hi = Math.max(lo, s.max ?? (hpa ? 0 : 100));
    for (let n = lo; n <= hi; n++) sizes.add(n);
  }
  if (sizes.size === 0) return [c.workload.replicas ?? 1, c.workload.replicas ?? 1];
  return [Math.min(...sizes), Math.max(...sizes)];
}

describe("size is the range the workload can take (property): TypeScript and Rego against the reference", () => {
  const cases = fc.sample(sizeCase, { numRuns: RUNS, seed: 22 });

  it(`sizeRange equals the reference (${RUNS} workloads with 0-3 HPAs/ScaledObjects)`, () => {
    fc.assert(
      fc.property(sizeCase, (c) => {
        const { workload: w, objects } = objectsOf(c);
        const r = sizeRange(w, objects);
        expect([r.min, r.max]).toEqual(referenceRange(c));
      }),
      { numRuns: RUNS, seed: 22 },
    );
  });

  it(`lib.k8s.size_range equals the reference (${RUNS} workloads, one opa run)`, () => {
    const input = cases.map(objectsOf);
    const rego = evalRego("package prop\n\nx := [data.lib.k8s.size_range(c.workload, c.objects) | some c in input]\n", input) as Array<
      [number, number]
    >;
    const differ = cases.flatMap((c, i) => (JSON.stringify(rego[i]) === JSON.stringify(referenceRange(c)) ? [] : [{ c, rego: rego[i] }]));
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("generate every case: unscaled, scaled by an HPA, scaled by KEDA, several scalers", () => {
    const scaledBy = (c: SizeCase, type: string) =>
      c.scalers.some(
        (s) => s.type === type && referenceRange({ ...c, scalers: [s] }).join() !== referenceRange({ ...c, scalers: [] }).join(),
      );
    expect(cases.some((c) => c.scalers.length === 0)).toBe(true);
    expect(cases.some((c) => scaledBy(c, "hpa"))).toBe(true);
    expect(cases.some((c) => scaledBy(c, "keda"))).toBe(true);
    expect(cases.some((c) => c.scalers.length > 1 && scaledBy(c, "hpa") && scaledBy(c, "keda"))).toBe(true);
  });
});
