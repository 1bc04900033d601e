/** A worker thread of the webhook: one loaded wasm instance, reviews requests one at a time. */
import { parentPort, workerData } from "node:worker_threads";
import { AdmissionEvaluator, type PolicySettings } from "./evaluator.js";
import type { ToWorker } from "./pool.js";
import { handleReview } from "./review.js";
import type { DecisionOptions } from "./types.js";

const { settings, options } = workerData as { settings: PolicySettings; options: DecisionOptions };
const evaluator = await AdmissionEvaluator.load(settings);
const port = parentPort!;
port.on("message", (message: ToWorker) => {
  if (message.type === "configure") evaluator.configure(message.settings);
  else {
    try {
      port.postMessage({ id: message.id, result: handleReview(message.body, evaluator, options, new Date(message.now)) });
    } catch (error) {
      port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
});
port.postMessage({ ready: true });
