/**
 * `--workers` for evaluation. With the Rego engine in process, a unit of REGO_THREAD_MIN_RESOURCES or more is
 * judged by the Rego engine in one more thread beside this one (src/evaluation/rego-thread.ts). Otherwise
 * the in-process engines judge a unit of PARALLEL_MIN_RESOURCES or more in the calling thread and
 * `workers - 1` more threads, each with its own wasm instance. Every extra thread
 * receives the unit once; the object-scope controls run on slices of its resources and each set-scope
 * control is one task, taken from one queue by whichever thread is free, the calling thread included
 * (it takes a task whenever it has finished one, and lets the others be sent theirs in between). Every
 * thread runs the same code (runEvaluationTask), and the caller adds the verdicts in the order of the
 * slices and controls, so the report is the same for any number of threads.
 */
import { serialize } from "node:v8";
import type { Control } from "../catalog/types.js";
import type { AuditConfig } from "../config/types.js";
import { compiledPolicyModules, type CompiledPolicy } from "../engines/rego-wasm.js";
import type { EngineContext, ObjectEngine } from "../engines/types.js";
import type { EngineVerdict } from "../findings/merge.js";
import { createThreadPool, runTakenHere, type ThreadPool } from "../tools/thread-pool.js";
import type { AuditUnit, EngineName } from "../types.js";
import type { ControlPlan } from "./plan.js";
import { RegoEngine } from "../engines/rego.js";
import { createRegoThread, type RegoThread, type RegoUnitJob } from "./rego-thread.js";
import { runEvaluationTask, type EvaluationTask } from "./task.js";

/**
 * Units with fewer resources are evaluated in the calling thread alone: at 10,000 resources a second
 * thread (its modules, its wasm instance, the unit sent to it as objects and read back, and its own JSON
 * and wasm copies of every object) saved nothing (docs/performance.md).
 */
export const PARALLEL_MIN_RESOURCES = 20_000;
/**
 * Fewest resources of a unit the Rego engine judges in its own thread (src/evaluation/rego-thread.ts): below,
 * starting the thread (its modules and wasm instance, ~0.15 s) costs more than it saves.
 */
export const REGO_THREAD_MIN_RESOURCES = 2_000;
/** Resources per object-scope task. */
const SLICE = 250;

/** What every evaluation thread is started with; it builds the same plans and engines from it. */
export interface EvaluationWorkerData {
  controls: readonly Control[];
  config: AuditConfig;
  /** In-process engines, in the caller's order. */
  engines: readonly EngineName[];
  /** The caller's compiled policy modules (src/engines/rego-wasm.ts), shared rather than compiled again. */
  compiled?: ReadonlyArray<[string, CompiledPolicy]>;
}

/** A unit without its resources, and the resources as `v8.serialize` bytes every thread reads. */
export type UnitBroadcast = { key: string; unit: Omit<AuditUnit, "resources">; resources: SharedArrayBuffer } | { drop: string };

/** The in-process engines' verdicts on one unit: per resource slice (in order), and per set-scope control asked for. */
export interface ParallelVerdicts {
  slices: EngineVerdict[][];
  sets: EngineVerdict[][];
}

/** The calling thread's own engines and the unit's plan: it runs tasks like the other threads. */
export interface LocalEvaluator {
  engines: readonly ObjectEngine[];
  plan: ControlPlan;
}

export interface EvaluationPool {
  /** Whether this unit is worth the threads (a unit the Rego thread takes is not). */
  accepts(unit: AuditUnit): boolean;
  /** Whether the Rego engine judges this unit in its own thread (engineAside). */
  regoThreadTakes(unit: AuditUnit): boolean;
  /** Every object-scope control on every resource, and the given set-scope controls, by the in-process engines. */
  evaluate(unit: AuditUnit, setControls: readonly Control[], local: LocalEvaluator): Promise<ParallelVerdicts>;
  /**
   * `engine`'s verdicts on a unit the Rego thread takes (its object-scope controls by `plan`, and `setControls`),
   * begun in that thread while this one goes on (src/evaluation/rego-thread.ts); undefined for any other engine
   * or unit, which are evaluated here.
   */
  engineAside(
    unit: AuditUnit,
    engine: ObjectEngine,
    plan: ControlPlan,
    setControls: readonly Control[],
    context: EngineContext,
  ): RegoUnitJob | undefined;
  close(): Promise<void>;
}

let threadsStarted = 0;
let tasksRunHere = 0;

/** How many evaluation threads this process has started (diagnostics; tests prove with it that the threads ran). */
export function evaluationThreadsStarted(): number {
  return threadsStarted;
}

/** How many pool tasks the calling thread ran itself (diagnostics; tests prove with it that it takes its share). */
export function evaluationTasksRunHere(): number {
  return tasksRunHere;
}

/** A pool for `threads` threads in all (the calling thread and `threads - 1` more), started when the first unit it accepts arrives. */
export function createEvaluationPool(
  threads: number,
  data: EvaluationWorkerData,
  { minResources = PARALLEL_MIN_RESOURCES, minRegoThreadResources = REGO_THREAD_MIN_RESOURCES } = {},
): EvaluationPool {
  let pool: ThreadPool<EvaluationTask, EngineVerdict[], UnitBroadcast> | undefined;
  let regoThread: RegoThread | undefined;
  let nextKey = 0;
  const regoThreadTakes = (unit: AuditUnit) =>
    threads > 1 && data.engines.includes("rego") && unit.resources.length >= minRegoThreadResources;
  return {
    accepts: (unit) => threads > 1 && data.engines.length > 0 && unit.resources.length >= minResources && !regoThreadTakes(unit),
    regoThreadTakes,
    engineAside(unit, engine, plan, setControls, context) {
      if (!(engine instanceof RegoEngine) || !regoThreadTakes(unit)) return undefined;
      regoThread ??= createRegoThread(engine, data.controls);
      return regoThread.evaluate(unit, plan, setControls, context);
    },
    async evaluate(unit, setControls, local) {
      pool ??= createThreadPool({
        callerUrl: import.meta.url,
        module: "evaluation-worker",
        size: threads - 1,
        role: "evaluation",
        workerData: { ...data, compiled: compiledPolicyModules() } satisfies EvaluationWorkerData,
        eager: true,
        depth: 2,
        onStart: () => threadsStarted++,
      });
      const key = String(nextKey++);
      const { resources, ...header } = unit;
      const bytes = serialize(resources);
      const shared = new SharedArrayBuffer(bytes.length);
      new Uint8Array(shared).set(bytes);
      pool.broadcast({ key, unit: header, resources: shared });
      const run = (task: EvaluationTask, what: string) => pool!.run(task, `evaluating ${what} of ${unit.id}`);
      // The set-scope tasks first: the longest ones, so that the slices even out the threads' ends.
      const sets = setControls.map((c) => run({ unit: key, controlId: c.id }, c.id));
      const slices: Array<Promise<EngineVerdict[]>> = [];
      for (let from = 0; from < resources.length; from += SLICE)
        slices.push(run({ unit: key, from, to: Math.min(from + SLICE, resources.length) }, `resources ${from + 1}–${from + SLICE}`));
      const all = Promise.all([Promise.all(slices), Promise.all(sets)]);
      // Handled below, after this thread's share: a thread that stops must not end the process meanwhile.
      all.catch(() => undefined);
      try {
        tasksRunHere += await runTakenHere(pool, (task) => runEvaluationTask(local.engines, local.plan, unit, task));
        const [sliceVerdicts, setVerdicts] = await all;
        return { slices: sliceVerdicts, sets: setVerdicts };
      } finally {
        pool.broadcast({ drop: key });
      }
    },
    async close() {
      await Promise.all([pool?.close(), regoThread?.close()]);
    },
  };
}
