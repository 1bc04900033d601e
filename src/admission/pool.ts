/**
 * Runs reviews in worker threads (one wasm instance each), or inline when workers is 0.
 *
 * One queue feeds every thread, and a thread takes a review only when it is idle, so nothing ever
 * waits behind a slow review on its thread, and concurrent reviews spread over the idle threads.
 * At most `workers` reviews run at once, plus one per slow review (running for `slowAfterMs`): a slow
 * review does not count against `workers`. For that the pool keeps one loaded standby thread beyond
 * `workers`, and while slow reviews hold every thread and others wait, it starts spares (up to
 * 2 × workers + 1 threads); spares stop once the queue is empty and nothing is slow.
 *
 * A review still running at its deadline fails as caused by the request; its thread (running
 * nothing else) is terminated and replaced. A review that waited for a thread until its deadline, or
 * arrives when no thread can run, fails as caused by the webhook.
 */
import { AdmissionEvaluator, type PolicySettings } from "./evaluator.js";
import type { PoolOptions, Reviewer } from "./pool-types.js";
import { handleReview } from "./review.js";
import type { DecisionOptions } from "./types.js";
import { WorkerPool } from "./worker-pool.js";

export { ReviewFailure, type PoolEvent, type PoolOptions, type Reviewer, type ToWorker } from "./pool-types.js";

/** Loads the policies in every worker (or inline); rejects when any cannot load them. */
export async function createReviewer(settings: PolicySettings, options: DecisionOptions, pool: PoolOptions): Promise<Reviewer> {
  if (pool.workers <= 0) {
    const evaluator = await AdmissionEvaluator.load(settings);
    return {
      // Inline evaluation cannot be interrupted: the limits are what bound it.
      review: async (body, now) => handleReview(body, evaluator, options, now),
      configure: (s) => evaluator.configure(s),
      ready: () => true,
      close: async () => {},
    };
  }
  const workers = new WorkerPool(settings, options, pool);
  try {
    await workers.start();
  } catch (error) {
    await workers.close();
    throw error;
  }
  return workers;
}
