/** An evaluation thread (src/evaluation/parallel.ts): its own in-process engines, the units it was sent, one task at a time. */
import { deserialize } from "node:v8";
import { workerData } from "node:worker_threads";
import { createEngine } from "../engines/index.js";
import { shareCompiledModules } from "../engines/rego-wasm.js";
import { isObjectEngine, type ObjectEngine } from "../engines/types.js";
import type { EngineVerdict } from "../findings/merge.js";
import { serveTasks } from "../tools/thread-pool.js";
import type { AuditUnit, Resource } from "../types.js";
import type { EvaluationWorkerData, UnitBroadcast } from "./parallel.js";
import { planCache } from "./plan.js";
import { runEvaluationTask, type EvaluationTask } from "./task.js";

const data = workerData as EvaluationWorkerData;
shareCompiledModules(data.compiled ?? []);
const engines: ObjectEngine[] = data.engines.map(createEngine).filter(isObjectEngine);
for (const engine of engines) await engine.prepare(data.controls.filter((c) => engine.implements(c)));
const planFor = planCache(data.controls, data.config);
const units = new Map<string, AuditUnit>();

async function evaluate(task: EvaluationTask): Promise<EngineVerdict[]> {
  const unit = units.get(task.unit);
  if (!unit) throw new Error(`unit ${task.unit} was not sent to this thread`);
  return runEvaluationTask(engines, planFor(unit.profile), unit, task);
}

serveTasks<EvaluationTask, EngineVerdict[], UnitBroadcast>(evaluate, (message) => {
  if ("drop" in message) units.delete(message.drop);
  else units.set(message.key, { ...message.unit, resources: deserialize(new Uint8Array(message.resources)) as Resource[] });
});
