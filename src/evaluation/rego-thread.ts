/**
 * `--workers` ≥ 2 on a unit of REGO_THREAD_MIN_RESOURCES or more (src/evaluation/parallel.ts): one more thread runs
 * the Rego engine's set-scope controls while this thread runs the TypeScript engine; then both share the Rego
 * engine's object-scope controls, slice by slice, each claiming the next slice from a shared counter. The
 * thread is sent the JSON of the objects (the bytes the Rego engine makes of each object anyway, in one
 * shared buffer), never the objects: it parses them straight into its own wasm heap, as this thread's engine
 * does, and answers the same verdicts; they are put together in the order of the resources, whichever thread
 * judged each slice.
 *
 * At 10,000 resources the pool's threads gained nothing: each received the unit as objects (0.25 s to
 * serialize and read back) and made its own JSON and wasm copies of them. This split leaves each thread
 * work the other does not repeat.
 */
import type { Control } from "../catalog/types.js";
import { setInputs } from "../engines/partition.js";
import { compiledPolicyModules, jsonPartOf, packParts, type CompiledPolicy } from "../engines/rego-wasm.js";
import type { PlannedSetControl, RegoEngine } from "../engines/rego.js";
import type { ControlVerdict, EngineContext } from "../engines/types.js";
import { holdsNoNullKey } from "../k8s/strip-nulls.js";
import { createThreadPool, type ThreadPool } from "../tools/thread-pool.js";
import type { AuditUnit, K8sObject, ResourceRef } from "../types.js";
import type { ControlPlan, PlannedControl } from "./plan.js";

/** What the Rego thread is started with. */
export interface RegoThreadData {
  /** The calling thread's bundle (its folder and the SHA-256 of its wasm): the thread evaluates that one. */
  dir: string;
  wasmSha256: string;
  controlIds: readonly string[];
  compiled: ReadonlyArray<[string, CompiledPolicy]>;
}

/**
 * One unit for the Rego thread: the JSON of its objects one after the other (item i at [offsets[i],
 * offsets[i + 1])), each object to judge with the list of checks it gets (lists given once, by index, with
 * their parameters as JSON), and the set-scope controls with their inputs as item indexes. `claims` holds the
 * next slice of `objects` (SLICE objects each) either thread may take.
 */
export interface RegoUnitRequest {
  json: SharedArrayBuffer;
  offsets: number[];
  claims: SharedArrayBuffer;
  checkLists: Array<Array<{ controlId: string; paramsJson: Uint8Array }>>;
  objects: Array<{ item: number; nullFree: boolean; ref: ResourceRef; checks: number }>;
  sets: Array<PlannedSetControl<number>>;
}

/** The Rego engine's verdicts on a unit: per object of the request, in its order, and per set-scope control. */
export interface RegoUnitVerdicts {
  objects: ControlVerdict[][];
  sets: ControlVerdict[];
}

/** What the Rego thread answers: the set-scope verdicts, and the verdicts on the objects of the slices it claimed. */
export interface RegoThreadAnswer {
  objects: Array<ControlVerdict[] | null>;
  sets: ControlVerdict[];
}

/** Objects per claimed slice. */
const SLICE = 64;

/** A unit sent to the Rego thread. */
export interface RegoUnitJob {
  /** Judges in this thread, with this thread's Rego engine, the object slices nobody has claimed yet. */
  shareHere(): void;
  /** Every verdict on the unit, once the Rego thread has answered. */
  verdicts(): Promise<RegoUnitVerdicts>;
}

/** The Rego thread, started when the first unit is sent. */
export interface RegoThread {
  evaluate(unit: AuditUnit, plan: ControlPlan, setControls: readonly Control[], context: EngineContext): RegoUnitJob;
  close(): Promise<void>;
}

let threadsStarted = 0;

/** How many Rego threads this process has started (diagnostics; tests prove with it that the thread ran). */
export function regoThreadsStarted(): number {
  return threadsStarted;
}

/** A Rego thread beside `engine` (this thread's Rego engine, which has compiled the bundle). */
export function createRegoThread(engine: RegoEngine, controls: readonly Control[]): RegoThread {
  let pool: ThreadPool<RegoUnitRequest, RegoThreadAnswer> | undefined;
  return {
    evaluate(unit, plan, setControls, context) {
      pool ??= createThreadPool({
        callerUrl: import.meta.url,
        module: "rego-thread-worker",
        size: 1,
        role: "evaluation",
        workerData: {
          dir: engine.bundleDir,
          wasmSha256: engine.describe().policyBundleSha256 ?? "",
          controlIds: controls.filter((c) => engine.implements(c)).map((c) => c.id),
          compiled: compiledPolicyModules(),
        } satisfies RegoThreadData,
        eager: true,
        onStart: () => threadsStarted++,
      });
      const request = regoUnitRequest(engine, unit, plan, setControls, context);
      const answer = pool.run(request, `evaluating the Rego policies on ${unit.id}`);
      // Awaited in verdicts(), after this thread's share: a rejection is seen there, not reported as unhandled meanwhile.
      answer.catch(() => undefined);
      const here: Array<ControlVerdict[] | undefined> = [];
      return {
        shareHere() {
          const bytes = new Uint8Array(request.json);
          for (const [from, to] of claimedSlices(request)) {
            for (let i = from; i < to; i++) {
              const { item, nullFree, ref, checks } = request.objects[i]!;
              here[i] = engine.evaluateObjectJson(
                bytes.subarray(request.offsets[item], request.offsets[item + 1]),
                nullFree,
                ref,
                request.checkLists[checks]!,
              );
            }
          }
        },
        async verdicts() {
          const { objects, sets } = await answer;
          return {
            objects: request.objects.map((_, i) => {
              const verdicts = here[i] ?? objects[i];
              if (!verdicts) throw new Error(`object ${i + 1} of ${unit.id} was judged by no thread`);
              return verdicts;
            }),
            sets,
          };
        },
      };
    },
    async close() {
      await pool?.close();
    },
  };
}

/** The slices of `request.objects` this thread claims, one at a time, until none is left. */
export function* claimedSlices(request: Pick<RegoUnitRequest, "claims" | "objects">): Generator<[number, number]> {
  const counter = new Int32Array(request.claims);
  for (;;) {
    const from = Atomics.add(counter, 0, 1) * SLICE;
    if (from >= request.objects.length) return;
    yield [from, Math.min(from + SLICE, request.objects.length)];
  }
}

/** The request for `engine`'s controls on `unit`: each object any of them reads, once, by its index. */
export function regoUnitRequest(
  engine: RegoEngine,
  unit: AuditUnit,
  plan: ControlPlan,
  setControls: readonly Control[],
  context: EngineContext,
): RegoUnitRequest {
  const index = new Map<K8sObject, number>();
  const parts: Array<Uint8Array | string> = [];
  const itemOf = (object: K8sObject) => {
    let i = index.get(object);
    if (i === undefined) {
      index.set(object, (i = parts.length));
      // The request keeps these bytes; this thread's engine reads them there, so they are not kept twice.
      parts.push(jsonPartOf(object));
    }
    return i;
  };
  // plan.forObject answers one array per kind of object: each is sent once.
  const lists = new Map<readonly PlannedControl[], number>();
  const checkLists: RegoUnitRequest["checkLists"] = [];
  const objects: RegoUnitRequest["objects"] = [];
  for (const { object, ref } of unit.resources) {
    const checks = plan.forObject(object);
    let list = lists.get(checks);
    if (list === undefined) {
      const mine = checks.filter((c) => engine.implements(c.control));
      lists.set(
        checks,
        (list = mine.length
          ? checkLists.push(mine.map((c) => ({ controlId: c.control.id, paramsJson: engine.paramsJsonOf(c.params) }))) - 1
          : -1),
      );
    }
    if (list >= 0) objects.push({ item: itemOf(object), nullFree: holdsNoNullKey(object), ref, checks: list });
  }
  const sets = setControls.map((control) => ({
    id: control.id,
    parameters: context.paramsFor(control, unit),
    inputs: setInputs(control, unit.resources).map((input) => input.map((r) => itemOf(r.object))),
  }));
  const { bytes, offsets } = packParts(parts, (length) => new SharedArrayBuffer(length));
  return { json: bytes.buffer, offsets, claims: new SharedArrayBuffer(4), checkLists, objects, sets };
}
