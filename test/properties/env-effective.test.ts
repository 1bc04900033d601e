/**
 * The environment as the kubelet builds it (src/k8s/env.ts, policies/lib/env.rego) against a reference
 * written from the Kubernetes documentation ("Define Environment Variables for a Container",
 * EnvFromSource): `envFrom` sources are read in order, each key of its ConfigMap or Secret becoming
 * `prefix + key`; `env` is read after them; for a name set more than once, the value defined last wins.
 * The reference asks, for one name, "which definition is the last one?", scanning the definitions in
 * the kubelet's order; the implementations build a map. Random containers with duplicate names,
 * prefixes, both kinds of source, missing sources and malformed entries; both implementations must
 * give the reference's winner for every name.
 */
import fc from "fast-check";
import { opaProbe } from "../helpers/opa-probe.js";
import { describe, expect, it } from "vitest";
import { effectiveEnv, providedEnvKeys, type EnvSource } from "../../src/k8s/env.js";
import type { K8sObject } from "../../src/types.js";

const NAMES = ["RELEASE_COOKIE", "ERLANG_COOKIE", "A_RELEASE_COOKIE", "LOG"] as const;
const KEYS = ["RELEASE_COOKIE", "ERLANG_COOKIE", "LOG"] as const;
const SOURCES = ["s1", "s2", "c1", "c2", "missing"] as const;

/** The Secrets (s*) and ConfigMaps (c*) of the set: each provides a random subset of KEYS. */
const store = fc.record({
  s1: fc.subarray([...KEYS]),
  s2: fc.subarray([...KEYS]),
  c1: fc.subarray([...KEYS]),
  c2: fc.subarray([...KEYS]),
});
const envEntry = fc.oneof(
  { weight: 4, arbitrary: fc.record({ name: fc.constantFrom(...NAMES), value: fc.constantFrom("literal", "other") }) },
  {
    weight: 4,
    arbitrary: fc.record({
      name: fc.constantFrom(...NAMES),
      valueFrom: fc.oneof(
        fc.record({ secretKeyRef: fc.record({ name: fc.constantFrom("s1", "s2"), key: fc.constantFrom(...KEYS) }) }),
        fc.record({ configMapKeyRef: fc.record({ name: fc.constantFrom("c1", "c2"), key: fc.constantFrom(...KEYS) }) }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom({ value: "no name" }, { name: 7, value: "x" }) },
);
const envFromEntry = fc.record(
  {
    secretRef: fc.record({ name: fc.constantFrom(...SOURCES) }),
    configMapRef: fc.record({ name: fc.constantFrom(...SOURCES) }),
    prefix: fc.constantFrom("", "A_"),
  },
  { requiredKeys: [] },
);
const container = fc.record(
  { name: fc.constant("app"), env: fc.array(envEntry, { maxLength: 6 }), envFrom: fc.array(envFromEntry, { maxLength: 4 }) },
  { requiredKeys: ["name"] },
);
const scenario = fc.record({ store, container });
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The set's objects for a store: Secrets s1, s2 and ConfigMaps c1, c2 in namespace ns. */
function objectsOf(s: Scenario["store"]): K8sObject[] {
  const data = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, "eA=="]));
  return [
    ...(["s1", "s2"] as const).map((name) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: "ns" },
      data: data(s[name]),
    })),
    ...(["c1", "c2"] as const).map((name) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "ns" },
      binaryData: data(s[name]),
    })),
  ];
}

/** Reference: the last definition of `name`, in the kubelet's order (every envFrom source, then every env entry). */
function referenceWinner(s: Scenario, name: string): string | undefined {
  const definitions: string[] = [];
  (s.container.envFrom ?? []).forEach((from, i) => {
    const prefix = from.prefix ?? "";
    if (
      from.secretRef &&
      from.secretRef.name !== "missing" &&
      (s.store as any)[from.secretRef.name]?.some((k: string) => prefix + k === name)
    )
      definitions.push(`envFrom:${i}:secret:${from.secretRef.name}:${name.slice(prefix.length)}`);
    if (
      from.configMapRef &&
      from.configMapRef.name !== "missing" &&
      (s.store as any)[from.configMapRef.name]?.some((k: string) => prefix + k === name)
    )
      definitions.push(`envFrom:${i}:configMap:${from.configMapRef.name}:${name.slice(prefix.length)}`);
  });
  (s.container.env ?? []).forEach((e, i) => {
    if ((e as { name?: unknown }).name === name) definitions.push(`env:${i}`);
  });
  return definitions.at(-1);
}

/** Secret s* keys live in Secrets, c* keys in ConfigMaps: an envFrom source of the other kind finds nothing. */
function normalizedStore(s: Scenario): Scenario {
  const store = { ...s.store } as Record<string, string[]>;
  const container = {
    ...s.container,
    envFrom: (s.container.envFrom ?? []).map((f) => ({
      ...f,
      ...(f.secretRef ? { secretRef: { name: f.secretRef.name.startsWith("s") ? f.secretRef.name : "missing" } } : {}),
      ...(f.configMapRef ? { configMapRef: { name: f.configMapRef.name.startsWith("c") ? f.configMapRef.name : "missing" } } : {}),
    })),
  };
  return { store: store as Scenario["store"], container };
}

const describeSource = (s: EnvSource | undefined): string | undefined =>
  s === undefined ? undefined : s.from === "env" ? `env:${s.index}` : `envFrom:${s.index}:${s.kind}:${s.name}:${s.key}`;

const RUNS = 600;

describe("effective env (property): the definition that wins, as the kubelet builds the environment", () => {
  const scenarios = fc.sample(scenario.map(normalizedStore), { numRuns: RUNS, seed: 13 });

  it(`TypeScript gives the reference's winner for every name (${RUNS} containers)`, () => {
    fc.assert(
      fc.property(scenario.map(normalizedStore), (s) => {
        const env = effectiveEnv(s.container, providedEnvKeys(objectsOf(s.store))("ns"));
        for (const name of NAMES) expect(describeSource(env.get(name))).toBe(referenceWinner(s, name));
      }),
      { numRuns: RUNS, seed: 13 },
    );
  });

  it(`Rego gives the reference's winner for every name (${RUNS} containers, one opa run)`, () => {
    const input = scenarios.map((s) => ({ container: s.container, resources: objectsOf(s.store) }));
    const module = `package envprop\n\nx := [[i, {n: d | some n, src in data.lib.env.effective_env(c.container, "ns", data.lib.env.provided_keys(c.resources)); d := describe(src)}] | some i, c in input]\n\ndescribe(src) := concat(":", ["env", format_int(src.index, 10)]) if src.from == "env"\n\ndescribe(src) := concat(":", ["envFrom", format_int(src.index, 10), src.kind, src.name, src.key]) if src.from == "envFrom"\n`;
    const result = evalRego(module, input) as Array<[number, Record<string, string>]>;
    const differ = scenarios.flatMap((s, i) => {
      const rego = result[i]![1];
      return NAMES.flatMap((name) => (rego[name] === referenceWinner(s, name) ? [] : [{ container: s.container, name, rego: rego[name] }]));
    });
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("generate every case: env over envFrom, a duplicate name, a later envFrom over an earlier one, a prefix", () => {
    const winners = scenarios.flatMap((s) => NAMES.map((n) => referenceWinner(s, n) ?? ""));
    expect(winners.some((w) => w.startsWith("env:"))).toBe(true);
    expect(winners.some((w) => w.includes(":configMap:"))).toBe(true);
    expect(winners.some((w) => w.includes(":secret:"))).toBe(true);
    expect(
      scenarios.some((s) => new Set(s.container.env?.map((e) => (e as { name?: unknown }).name)).size < (s.container.env?.length ?? 0)),
    ).toBe(true);
    expect(
      scenarios.some(
        (s) => s.container.envFrom?.some((f) => f.prefix === "A_") && referenceWinner(s, "A_RELEASE_COOKIE")?.startsWith("envFrom"),
      ),
    ).toBe(true);
  });
});

/** Evaluates `data.envprop.x` of a module next to policies/lib with the real opa. */
function evalRego(module: string, input: unknown): unknown {
  return opaProbe<unknown>(module.split("\n"), input, [], "data.envprop.x");
}
