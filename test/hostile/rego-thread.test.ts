/**
 * The Rego thread (src/evaluation/rego-thread.ts) reads each object as the JSON the calling thread makes of it,
 * never the object: whatever an object holds, its verdicts there are the calling thread's. Planted: a
 * `__proto__` key holding a cookie, an object handed to the engines with a lone surrogate (which the wasm
 * cannot read: an error verdict, not a pass), a null-valued field, an object handed over with a null the
 * loader would have stripped (the thread must strip it as the calling thread does), a number
 * beyond float range (in a kind no schema knows), a 5,000-key ConfigMap with one credential key, and a privileged Pod.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import { createEngine } from "../../src/engines/index.js";
import { createEvaluationPool } from "../../src/evaluation/parallel.js";
import { planCache } from "../../src/evaluation/plan.js";
import { regoThreadsStarted } from "../../src/evaluation/rego-thread.js";
import { evaluateUnits } from "../../src/evaluation/units.js";
import { loadInputs } from "../../src/loaders/load.js";
import type { AuditUnit, K8sObject } from "../../src/types.js";
import { PRIVILEGED_POD, SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";

const BIG = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: erlmcp}\ndata:\n${Array.from({ length: 5000 }, (_, i) => `  key-${i}: v${i}\n`).join("")}  db_password: hunter2\n`;

describe("the Rego thread", () => {
  it("judges hostile objects as the calling thread does, errors included", async () => {
    const dir = tempTree({
      "proto.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden, namespace: erlmcp}\ndata:\n  __proto__: "-setcookie k9f3Qz7vLw2"\n`,
      "nulls.yaml": SURVIVOR_DEPLOYMENT.replace("spec:\n", "spec:\n  minReadySeconds: null\n"),
      "huge.yaml": `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: huge, namespace: erlmcp}\nspec: {size: 1e400, tiny: -1e400}\n`,
      "big.yaml": BIG,
      "pod.yaml": PRIVILEGED_POD("debug"),
    });
    const loaded = await loadInputs([dir], { cwd: dir });
    const unit: AuditUnit = { ...loaded.units[0]!, profile: "production" };
    // Handed to the engines despite the input error a lone surrogate makes at load (the engines' own guard).
    const surrogate: K8sObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "weird", namespace: "erlmcp" },
      data: { k: "x\udc00y" },
    };
    unit.resources.push({ ...unit.resources[0]!, ref: { ...unit.resources[0]!.ref, name: "weird" }, object: surrogate });
    // Handed over unstripped (loading strips null-valued keys): a null pod securityContext is the key absent, as the
    // API server stores it, only when the thread is told the object holds a null (pod-restricted-context then fails it).
    const deployment = (name: string, podSpec: Record<string, unknown>): K8sObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: "erlmcp" },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { ...podSpec, containers: [{ name: "app", image: "example/app:1.0" }] } },
      },
    });
    for (const [name, podSpec] of [
      ["nulled", { securityContext: null }],
      ["twin", {}],
    ] as const) {
      const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "erlmcp", name };
      unit.resources.push({ ...unit.resources[0]!, ref, object: deployment(name, podSpec) });
    }
    expect(unit.resources.length).toBeGreaterThanOrEqual(8);

    const controls = loadCatalog();
    const engines = (["rego", "typescript"] as const).map(createEngine);
    for (const engine of engines) await engine.prepare(controls.filter((c) => engine.implements(c)));
    const inThread = await evaluateUnits([unit], planCache(controls), engines);
    const started = regoThreadsStarted();
    const pool = createEvaluationPool(2, { controls, config: {}, engines: ["rego", "typescript"] }, { minRegoThreadResources: 1 });
    try {
      expect(await evaluateUnits([unit], planCache(controls), engines, undefined, pool)).toEqual(inThread);
    } finally {
      await pool.close();
    }
    expect(regoThreadsStarted() - started).toBe(1);
    const failed = (id: string, name: string) =>
      inThread.findings.some((f) => f.controlId === id && f.resource.name === name && f.status === "fail");
    expect(failed("sec-no-literal-credentials", "hidden")).toBe(true);
    expect(failed("sec-no-literal-credentials", "big")).toBe(true);
    expect(failed("pod-no-host-access", "debug")).toBe(true);
    expect(inThread.findings.some((f) => f.resource.name === "weird" && f.status === "error")).toBe(true);
    const restricted = (name: string) =>
      inThread.findings
        .filter((f) => f.controlId === "pod-restricted-context" && f.resource.name === name && f.engine === "rego")
        .map((f) => `${f.status} ${f.messageId} ${f.path}`)
        .sort();
    expect(restricted("nulled")).toEqual(restricted("twin"));
    expect(restricted("twin").length).toBeGreaterThan(0);
  }, 60_000);
});
