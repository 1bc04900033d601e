/** The messages, options and failures shared by the review pool (pool.ts), its threads (worker-pool.ts) and each worker (worker.ts). */
import type { PolicySettings } from "./evaluator.js";
import type { FailureCause, ReviewResult } from "./types.js";

/** A message to a worker thread. */
export type ToWorker = { type: "configure"; settings: PolicySettings } | { type: "review"; id: number; body: string; now: number };
/** A message from a worker thread: loaded, a review's result, or its error. */
export type FromWorker = { ready: true } | { id: number; result: ReviewResult } | { id: number; error: string };

/** A review that got no answer from an evaluator, and who caused that. */
export class ReviewFailure extends Error {
  constructor(
    message: string,
    readonly causedBy: FailureCause,
  ) {
    super(message);
  }
}

/** Something the pool did that an operator wants to see: a worker replaced, a spare started, a start that failed. */
export interface PoolEvent {
  event: "worker replaced" | "spare worker started" | "worker start failed";
  detail: string;
}

/** How the pool runs. */
export interface PoolOptions {
  /** Reviews evaluated at once, slow ones aside (one more thread is kept loaded as the standby); 0 evaluates in the calling thread. */
  workers: number;
  /** A review running this long counts as slow: it no longer counts against `workers`. */
  slowAfterMs: number;
  onEvent?: (event: PoolEvent) => void;
}

/** Evaluates AdmissionReview bodies. */
export interface Reviewer {
  /**
   * Rejects with a ReviewFailure when no worker answers within remainingMs (or none is running);
   * timeoutMs is the request's whole timeout, named in the failure.
   */
  review(body: string, now: Date, remainingMs: number, timeoutMs?: number): Promise<ReviewResult>;
  configure(settings: PolicySettings): void;
  /** Whether a worker has loaded the policies and can take reviews (/readyz). */
  ready(): boolean;
  close(): Promise<void>;
}
