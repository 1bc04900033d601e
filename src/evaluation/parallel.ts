/**
 * `--workers` for evaluation: the in-process engines (Rego/wasm, TypeScript) judge a large unit in
 * worker threads, each with its own wasm instance. Every thread receives the unit once; the object-scope
 * controls run on slices of its resources and each set-scope control is one task, taken by whichever
 * thread is idle. The threads run the same modules as the calling thread (evaluateObject, each engine's
 * evaluate), and the caller adds their verdicts in the order of the slices and controls, so the report
 * is the same for any number of threads.
 */
import { serialize } from "node:v8";
import type { Control } from "../catalog/types.js";
import type { AuditConfig } from "../config/types.js";
import { compiledPolicyModules, type CompiledPolicy } from "../engines/rego-wasm.js";
import type { EngineVerdict } from "../findings/merge.js";
import { createThreadPool, type ThreadPool } from "../tools/thread-pool.js";
import type { AuditUnit, EngineName } from "../types.js";

/**
 * Units with fewer resources are evaluated in the calling thread: at 10,000 resources, 2 evaluation
 * threads took the evaluate phase from 3.0–3.5 s to 3.0 s for 2 s more CPU and 160 MiB more memory
 * (each thread builds its engines and receives the unit), while at 50,000 they help (docs/performance.md).
 */
export const PARALLEL_MIN_RESOURCES = 20_000;
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

/** One task: the object-scope controls on resources [from, to) of a unit, or one set-scope control on it. */
export type EvaluationTask = { unit: string; from: number; to: number } | { unit: string; controlId: string };

/** The in-process engines' verdicts on one unit: per resource slice (in order), and per set-scope control asked for. */
export interface ParallelVerdicts {
  slices: EngineVerdict[][];
  sets: EngineVerdict[][];
}

export interface EvaluationPool {
  /** Whether this unit is worth the threads. */
  accepts(unit: AuditUnit): boolean;
  /** Every object-scope control on every resource, and the given set-scope controls, by the in-process engines. */
  evaluate(unit: AuditUnit, setControls: readonly Control[]): Promise<ParallelVerdicts>;
  close(): Promise<void>;
}

let threadsStarted = 0;

/** How many evaluation threads this process has started (diagnostics; tests prove with it that the threads ran). */
export function evaluationThreadsStarted(): number {
  return threadsStarted;
}

/** A pool of `threads` evaluation threads, started when the first unit it accepts arrives. */
export function createEvaluationPool(
  threads: number,
  data: EvaluationWorkerData,
  { minResources = PARALLEL_MIN_RESOURCES } = {},
): EvaluationPool {
  let pool: ThreadPool<EvaluationTask, EngineVerdict[], UnitBroadcast> | undefined;
  let nextKey = 0;
  return {
    accepts: (unit) => threads > 1 && data.engines.length > 0 && unit.resources.length >= minResources,
    async evaluate(unit, setControls) {
      pool ??= createThreadPool({
        callerUrl: import.meta.url,
        module: "evaluation-worker",
        size: threads,
        role: "evaluation",
        workerData: { ...data, compiled: compiledPolicyModules() } satisfies EvaluationWorkerData,
        eager: true,
        onStart: () => threadsStarted++,
      });
      const key = String(nextKey++);
      const { resources, ...header } = unit;
      const bytes = serialize(resources);
      const shared = new SharedArrayBuffer(bytes.length);
      new Uint8Array(shared).set(bytes);
      pool.broadcast({ key, unit: header, resources: shared });
      const run = (task: EvaluationTask, what: string) => pool!.run(task, `evaluating ${what} of ${unit.id}`);
      const slices: Array<Promise<EngineVerdict[]>> = [];
      for (let from = 0; from < resources.length; from += SLICE)
        slices.push(run({ unit: key, from, to: Math.min(from + SLICE, resources.length) }, `resources ${from + 1}–${from + SLICE}`));
      const sets = setControls.map((c) => run({ unit: key, controlId: c.id }, c.id));
      try {
        return { slices: await Promise.all(slices), sets: await Promise.all(sets) };
      } finally {
        pool.broadcast({ drop: key });
      }
    },
    async close() {
      await pool?.close();
    },
  };
}
