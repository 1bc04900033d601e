/**
 * Evaluation shortcuts give the same findings as the plain evaluation: set-scope controls on their
 * kinds and one namespace at a time (`partition: namespace`) versus the whole set, and the object
 * evaluator (object parsed into the wasm heap once) versus opa-wasm's evaluate() per control. Corpus: copies of the production render in several
 * namespaces, with every kind of planted defect of scripts/bench/corpus.ts, plus cluster-scoped RBAC.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import type { Control } from "../../src/catalog/types.js";
import { resolveParams } from "../../src/config/profiles.js";
import { setInputs } from "../../src/engines/partition.js";
import { RegoEngine } from "../../src/engines/rego.js";
import { jsonOf, RegoBundle } from "../../src/engines/rego-wasm.js";
import { holdsNoNullKey } from "../../src/k8s/strip-nulls.js";
import { TypeScriptEngine } from "../../src/engines/typescript.js";
import type { ControlVerdict } from "../../src/engines/types.js";
import { loadInputs } from "../../src/loaders/load.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../../src/paths.js";
import type { AuditUnit, Resource, Violation } from "../../src/types.js";
import { VALIDATORS } from "../../src/validators/index.js";
import { DEFECT_EVERY, makeCopy, renderReference } from "../../scripts/bench/corpus.js";

const work = mkdtempSync(join(tmpdir(), "erlmcp-audit-partition-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CROSS_NAMESPACE = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "empty" } },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "reader" },
    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "reader" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "reader" },
    subjects: [{ kind: "ServiceAccount", name: "erlmcp", namespace: "erlmcp-00001" }],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "cross", namespace: "erlmcp-00002" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "erlmcp-peer-discovery" },
    subjects: [{ kind: "ServiceAccount", name: "erlmcp-ops", namespace: "erlmcp-00001" }],
  },
];

async function corpusUnit(): Promise<AuditUnit> {
  const reference = await renderReference(PACKAGE_ROOT);
  const indices = [1, 2, ...Array.from({ length: 7 }, (_, i) => (i + 1) * DEFECT_EVERY)];
  for (const index of indices) {
    const copy = makeCopy(reference, index);
    // YAML 1.1, as kubectl reads it: a string such as "Off" stays quoted instead of turning into a boolean.
    writeFileSync(join(work, `${copy.namespace}.yaml`), copy.objects.map((o) => stringify(o, { version: "1.1" })).join("---\n"));
  }
  writeFileSync(join(work, "cross.yaml"), CROSS_NAMESPACE.map((o) => stringify(o, { version: "1.1" })).join("---\n"));
  const loaded = await loadInputs([work]);
  expect(loaded.errors).toEqual([]);
  const unit = loaded.units[0] as AuditUnit & { profile?: string };
  return { ...unit, profile: "production" };
}

const unit = await corpusUnit();
const controls = loadCatalog();
const setControls = controls.filter((c) => c.scope === "set");
const context = { paramsFor: (c: Control) => resolveParams(c, "production") };
const key = (v: Violation) => JSON.stringify([v.resource.kind, v.resource.namespace, v.resource.name, v.messageId, v.data]);
const keys = (vs: Violation[]) => [...new Set(vs.map(key))].sort();
const byControl = (verdicts: ControlVerdict[]) =>
  Object.fromEntries(verdicts.map((v) => [v.controlId, { violations: keys(v.violations), errors: v.errors }]));

describe("setInputs", () => {
  it("keeps the control's kinds; a partition per namespace with its Namespace object and the shared cluster-scoped objects", () => {
    const control = { kinds: ["Namespace", "ClusterRole", "RoleBinding"], partition: "namespace" as const };
    const parts = setInputs(control, unit.resources);
    const namespaces = new Set(unit.resources.filter((r) => r.ref.kind === "Namespace").map((r) => r.ref.name));
    expect(parts).toHaveLength(namespaces.size);
    for (const part of parts) {
      const own = part.filter((r) => r.ref.kind !== "ClusterRole");
      const ns = new Set(own.map((r: Resource) => (r.ref.kind === "Namespace" ? r.ref.name : r.ref.namespace)));
      expect(ns.size).toBe(1);
      expect(part.filter((r) => r.ref.kind === "ClusterRole").map((r) => r.ref.name)).toEqual(["reader"]);
      expect(part.every((r) => control.kinds.includes(r.ref.kind))).toBe(true);
    }
    expect(setInputs({ kinds: ["ClusterRole"], partition: "namespace" }, unit.resources)).toEqual([
      unit.resources.filter((r) => r.ref.kind === "ClusterRole"),
    ]);
    expect(setInputs({ kinds: ["Role"] }, unit.resources)).toHaveLength(1);
  });
});

describe("partitioned set-scope evaluation equals whole-set evaluation", () => {
  it("declares partition only on set-scope controls, and some do", () => {
    expect(controls.filter((c) => c.partition && c.scope !== "set")).toEqual([]);
    expect(setControls.filter((c) => c.partition === "namespace").length).toBeGreaterThanOrEqual(5);
  });

  it.each(setControls.filter((c) => VALIDATORS[c.id]).map((c) => [c.id, c] as const))("typescript %s", async (_id, control) => {
    const validator = VALIDATORS[control.id];
    if (validator?.scope !== "set") throw new Error(`${control.id}: no set validator`);
    const whole = keys(validator.validate(unit.resources, context.paramsFor(control)));
    const [verdict] = await new TypeScriptEngine().evaluate(unit, [control], context);
    expect(verdict?.errors).toEqual([]);
    expect(keys(verdict?.violations ?? [])).toEqual(whole);
  });

  it("rego: every set-scope control", async () => {
    const dist = join(POLICIES_DIR, "dist");
    const manifest = JSON.parse(readFileSync(join(dist, "manifest.json"), "utf8")) as { entrypoints: Record<string, string> };
    const policy = await loadPolicy(readFileSync(join(dist, "policy.wasm")), { initial: 64 });
    const objects = unit.resources.map((r) => r.object);
    const engine = new RegoEngine();
    const rego = setControls.filter((c) => c.engines.includes("rego"));
    await engine.prepare(rego);
    const verdicts = byControl(await engine.evaluate(unit, rego, context));
    let planted = 0;
    for (const control of rego) {
      const result = policy.evaluate(
        { resources: objects, parameters: context.paramsFor(control) },
        manifest.entrypoints[control.id] as string,
      );
      const whole = keys(((result as Array<{ result: Array<{ details: Violation }> }>)[0]?.result ?? []).map((v) => v.details));
      expect({ id: control.id, ...verdicts[control.id] }).toEqual({ id: control.id, violations: whole, errors: [] });
      if (control.partition && whole.length) planted++;
    }
    expect(planted).toBeGreaterThanOrEqual(4);
  });
});

describe("object evaluator: the object parsed into the wasm heap once", () => {
  it("gives the same verdicts as opa-wasm's own evaluate(), one call per control and object", async () => {
    const dist = join(POLICIES_DIR, "dist");
    const manifest = JSON.parse(readFileSync(join(dist, "manifest.json"), "utf8")) as { entrypoints: Record<string, string> };
    const policy = await loadPolicy(readFileSync(join(dist, "policy.wasm")), { initial: 64 });
    const objectControls = controls.filter((c) => c.scope === "object" && c.engines.includes("rego"));
    const engine = new RegoEngine();
    await engine.prepare(objectControls);
    const checks = objectControls.map((control) => ({ control, params: context.paramsFor(control) }));
    let compared = 0;
    const failing = new Set<string>();
    for (const r of unit.resources) {
      const mine = checks.filter((c) => c.control.kinds.includes(r.ref.kind));
      const verdicts = engine.evaluateObject(r.object, r.ref, mine);
      for (const [i, { control, params }] of mine.entries()) {
        const result = policy.evaluate({ review: { object: r.object }, parameters: params }, manifest.entrypoints[control.id] as string);
        const plain = ((result as Array<{ result: Array<{ details: Violation }> }>)[0]?.result ?? []).map((v) => ({
          messageId: v.details.messageId,
          data: v.details.data ?? {},
          resource: v.details.resource ?? r.ref,
          ...(v.details.path?.length ? { path: v.details.path } : {}),
        }));
        expect(verdicts[i]).toEqual({ controlId: control.id, violations: plain, errors: [] });
        if (plain.length) failing.add(control.id);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(failing.size).toBeGreaterThanOrEqual(5);
  });
});

describe("set-scope inputs built from objects parsed once per unit", () => {
  const plain = async () => {
    const dist = join(POLICIES_DIR, "dist");
    const manifest = JSON.parse(readFileSync(join(dist, "manifest.json"), "utf8")) as { entrypoints: Record<string, string> };
    const policy = await loadPolicy(readFileSync(join(dist, "policy.wasm")), { initial: 64 });
    return (control: Control, objects: unknown[]) => {
      const result = policy.evaluate(
        { resources: objects, parameters: context.paramsFor(control) },
        manifest.entrypoints[control.id] as string,
      );
      return keys(((result as Array<{ result: Array<{ details: Violation }> }>)[0]?.result ?? []).map((v) => v.details));
    };
  };
  const rego = setControls.filter((c) => c.engines.includes("rego"));

  it("gives opa-wasm's verdicts while units alternate, objects are judged between, and the memory starts at 4 MiB", async () => {
    const expected = await plain();
    // A small first memory: the resident objects and the evaluations outgrow it many times over.
    const bundle = await RegoBundle.load(
      rego.map((c) => c.id),
      undefined,
      64,
    );
    expect(bundle.sharesParsedObjects).toBe(true);
    const other: AuditUnit = { ...unit, resources: unit.resources.filter((_, i) => i % 3 !== 0) };
    const objectControls = controls.filter((c) => c.scope === "object" && c.engines.includes("rego"));
    const judged = [unit, other, unit].flatMap((u, round) =>
      rego.map((control, i) => {
        const objects = u.resources.map((r) => r.object);
        const violations = keys(
          bundle.evaluateSet(control.id, { resources: objects, parameters: context.paramsFor(control) }, u.resources),
        );
        // An object judged between two set-scope controls allocates above the resident objects, never over them.
        const r = u.resources[(i * 7919 + round) % u.resources.length] as Resource;
        const mine = objectControls.filter((c) => c.kinds.includes(r.ref.kind));
        bundle.evaluateObjectJson(
          jsonOf(r.object),
          holdsNoNullKey(r.object),
          r.ref,
          mine.map((c) => ({ controlId: c.id, paramsJson: new TextEncoder().encode(JSON.stringify(context.paramsFor(c))) })),
        );
        return { round, id: control.id, violations, expected: expected(control, objects) };
      }),
    );
    for (const { round, id, violations, expected: want } of judged)
      expect({ round, id, violations }).toEqual({ round, id, violations: want });
    expect(judged.filter((j) => j.violations.length).length).toBeGreaterThanOrEqual(8);
  });

  it("parses each object once per unit: the same array built twice reads the same, and a subset of it reads as the subset", async () => {
    const bundle = await RegoBundle.load(rego.map((c) => c.id));
    const expected = await plain();
    const control = rego.find((c) => c.id === "net-default-deny") as Control;
    const objects = unit.resources.map((r) => r.object);
    const some = objects.filter((_, i) => i % 2 === 0).reverse();
    const run = (list: typeof objects) =>
      keys(bundle.evaluateSet(control.id, { resources: list, parameters: context.paramsFor(control) }, unit.resources));
    expect([run(objects), run(some), run(objects), run([])]).toEqual([
      expected(control, objects),
      expected(control, some),
      expected(control, objects),
      expected(control, []),
    ]);
    expect(run(objects).length).toBeGreaterThan(0);
    // Without a scope (a caller evaluating one input on its own), the input is parsed from JSON as a whole.
    expect(keys(bundle.evaluateSet(control.id, { resources: some, parameters: context.paramsFor(control) }))).toEqual(
      expected(control, some),
    );
    expect(run(some)).toEqual(expected(control, some));
  });
});
