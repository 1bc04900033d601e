/**
 * Evaluation in threads (`--workers`, src/evaluation/parallel.ts) gives the evaluation of the calling
 * thread: the same findings, disagreements and control runs in the same order, for any number of
 * threads. Corpus: copies of the production render with every kind of planted defect of
 * scripts/bench/corpus.ts, and the fixtures of every control in one more unit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import { createEngine } from "../../src/engines/index.js";
import { cpSync, mkdtempSync as tempDir } from "node:fs";
import { RegoEngine } from "../../src/engines/rego.js";
import {
  createEvaluationPool,
  evaluationTasksRunHere,
  evaluationThreadsStarted,
  PARALLEL_MIN_RESOURCES,
  REGO_THREAD_MIN_RESOURCES,
} from "../../src/evaluation/parallel.js";
import { claimedSlices, regoThreadsStarted } from "../../src/evaluation/rego-thread.js";
import { planCache } from "../../src/evaluation/plan.js";
import { evaluateUnits } from "../../src/evaluation/units.js";
import { loadInputs } from "../../src/loaders/load.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { AuditUnit } from "../../src/types.js";
import { DEFECT_EVERY, makeCopy, renderReference } from "../../scripts/bench/corpus.js";
import { readFixtures } from "../fixture-files.js";

const work = mkdtempSync(join(tmpdir(), "erlmcp-audit-parallel-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function units(): Promise<AuditUnit[]> {
  const reference = await renderReference(PACKAGE_ROOT);
  const corpus = join(work, "corpus");
  mkdirSync(corpus);
  for (const index of [1, 2, ...Array.from({ length: 7 }, (_, i) => (i + 1) * DEFECT_EVERY)]) {
    const copy = makeCopy(reference, index);
    writeFileSync(join(corpus, `${copy.namespace}.yaml`), copy.objects.map((o) => stringify(o, { version: "1.1" })).join("---\n"));
  }
  const fixtures = loadCatalog()
    .flatMap((c) => readFixtures(c.id))
    .map((f, i) => {
      const dir = join(work, "fixtures", String(i));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "fixture.yaml"), f.text);
      return { dir, profile: f.profile };
    });
  const loaded = await loadInputs([corpus, ...fixtures.map((f) => f.dir)], { cwd: work });
  const profileOf = new Map(fixtures.map((f) => [f.dir, f.profile]));
  return loaded.units.map((u) => ({ ...u, profile: profileOf.get(u.path) ?? "production" }));
}

const loaded = await units();
const controls = loadCatalog();
const engines = ["rego", "typescript"] as const;
const prepared = engines.map(createEngine);
for (const engine of prepared) await engine.prepare(controls.filter((c) => engine.implements(c)));

describe("evaluation threads", () => {
  it("give the calling thread's evaluation, in the same order, with 2 and 3 threads (the calling thread one of them)", async () => {
    const inThread = await evaluateUnits(loaded, planCache(controls), prepared);
    const failing = inThread.findings.filter((f) => f.status === "fail");
    const scopes = new Set(failing.map((f) => controls.find((c) => c.id === f.controlId)?.scope));
    expect(scopes).toEqual(new Set(["object", "set"]));
    expect(loaded.reduce((n, u) => n + u.resources.length, 0)).toBeGreaterThan(500);

    for (const threads of [2, 3]) {
      const started = evaluationThreadsStarted();
      const ranHere = evaluationTasksRunHere();
      const pool = createEvaluationPool(
        threads,
        { controls, config: {}, engines: [...engines] },
        { minResources: 1, minRegoThreadResources: Infinity },
      );
      try {
        const threaded = await evaluateUnits(loaded, planCache(controls), prepared, undefined, pool);
        expect(evaluationThreadsStarted() - started).toBe(threads - 1);
        expect(evaluationTasksRunHere() - ranHere).toBeGreaterThan(0);
        expect(threaded).toEqual(inThread);
      } finally {
        await pool.close();
      }
    }
  }, 120_000);

  it("give the calling thread's evaluation with the Rego engine in its own thread, whichever thread judges each slice", async () => {
    const inThread = await evaluateUnits(loaded, planCache(controls), prepared);
    const data = { controls, config: {}, engines: [...engines] };
    const started = regoThreadsStarted();
    const pooled = evaluationThreadsStarted();
    const pool = createEvaluationPool(2, data, { minResources: 1, minRegoThreadResources: 1 });
    try {
      expect(await evaluateUnits(loaded, planCache(controls), prepared, undefined, pool)).toEqual(inThread);
      expect(regoThreadsStarted() - started).toBe(1);
      expect(evaluationThreadsStarted() - pooled).toBe(0);

      // The Rego thread alone: this thread claims no slice of the objects and asks for the verdicts at once.
      const rego = prepared[0] as RegoEngine;
      const plan = planCache(controls)("production");
      const context = { paramsFor: (c: { id: string }) => plan.get(c.id)?.params ?? {} };
      const unit = loaded[0]!;
      const sets = plan.controls.map((p) => p.control).filter((c) => c.scope === "set" && rego.implements(c));
      const job = pool.engineAside({ ...unit, profile: "production" }, rego, plan, sets, context)!;
      const { objects, sets: setVerdicts } = await job.verdicts();
      const expected = unit.resources.flatMap((r) => rego.evaluateObject(r.object, r.ref, plan.forObject(r.object)));
      expect(objects.flat()).toEqual(expected);
      expect(setVerdicts).toEqual(await rego.evaluate(unit, sets, context));
    } finally {
      await pool.close();
    }
  }, 120_000);

  it("hand out each slice of a unit's objects once, to whichever thread claims it", () => {
    const request = { claims: new SharedArrayBuffer(4), objects: Array.from({ length: 150 }, () => ({})) as never[] };
    const first = claimedSlices(request);
    const second = claimedSlices(request);
    const taken = [first.next().value, second.next().value, first.next().value, second.next().done];
    expect(taken).toEqual([[0, 64], [64, 128], [128, 150], true]);
  });

  it("fail the evaluation loudly when the Rego thread cannot load the calling thread's bundle", async () => {
    const dir = tempDir(join(tmpdir(), "erlmcp-audit-bundle-"));
    cpSync(join(PACKAGE_ROOT, "policies", "dist"), dir, { recursive: true });
    const rego = new RegoEngine(dir);
    await rego.prepare(controls.filter((c) => rego.implements(c)));
    rmSync(dir, { recursive: true, force: true });
    const pool = createEvaluationPool(2, { controls, config: {}, engines: [...engines] }, { minRegoThreadResources: 1 });
    try {
      await expect(evaluateUnits(loaded.slice(0, 1), planCache(controls), [rego, prepared[1]!], undefined, pool)).rejects.toThrow(
        /an evaluation worker thread stopped \(exit code 1: .*no such file.*\) while evaluating the Rego policies on /i,
      );
    } finally {
      await pool.close();
    }
  }, 60_000);

  it("leave units below the threshold, one thread and no in-process engine to the calling thread", () => {
    const data = { controls, config: {}, engines: [...engines] };
    const small = loaded.find((u) => u.resources.length < REGO_THREAD_MIN_RESOURCES)!;
    const large = { ...small, resources: Array.from({ length: PARALLEL_MIN_RESOURCES }, () => small.resources[0]!) };
    const typescriptOnly = { ...data, engines: ["typescript" as const] };
    expect(createEvaluationPool(2, data).accepts(small)).toBe(false);
    expect(createEvaluationPool(2, data).regoThreadTakes(small)).toBe(false);
    // With the Rego engine in process, a large unit goes to the Rego thread, not to the pool.
    expect(createEvaluationPool(2, data).regoThreadTakes(large)).toBe(true);
    expect(createEvaluationPool(2, data).accepts(large)).toBe(false);
    expect(createEvaluationPool(2, typescriptOnly).accepts(large)).toBe(true);
    expect(createEvaluationPool(2, typescriptOnly).regoThreadTakes(large)).toBe(false);
    expect(createEvaluationPool(1, data).accepts(large)).toBe(false);
    expect(createEvaluationPool(1, data).regoThreadTakes(large)).toBe(false);
    expect(createEvaluationPool(2, { ...data, engines: [] }).accepts(large)).toBe(false);
  });
});
