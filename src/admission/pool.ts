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
import type { Worker } from "node:worker_threads";
import { startWorker } from "../tools/worker-thread.js";
import { AdmissionEvaluator, type PolicySettings } from "./evaluator.js";
import { handleReview } from "./review.js";
import type { DecisionOptions, FailureCause, ReviewResult } from "./types.js";

/** A message to a worker thread. */
export type ToWorker = { type: "configure"; settings: PolicySettings } | { type: "review"; id: number; body: string; now: number };
type FromWorker = { ready: true } | { id: number; result: ReviewResult } | { id: number; error: string };

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

interface Task {
  id: number;
  body: string;
  now: number;
  timeoutMs: number;
  resolve: (result: ReviewResult) => void;
  reject: (error: ReviewFailure) => void;
  timer: NodeJS.Timeout;
  /** The thread running it; unset while queued. */
  thread?: Thread;
  /** Set by the thread's slow timer; a flag, not a clock comparison, since a timer may fire before `slowAfterMs` has passed by another clock. */
  slow?: boolean;
}

interface Thread {
  worker: Worker;
  task?: Task;
  slowTimer?: NodeJS.Timeout;
}

const RESTART_BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000];

class WorkerPool implements Reviewer {
  /** Threads that have loaded the policies. */
  private threads: Thread[] = [];
  private readonly live = new Set<Worker>();
  private starting = 0;
  private queue: Task[] = [];
  private nextId = 0;
  private started = false;
  private closing = false;
  private failedStarts = 0;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    private settings: PolicySettings,
    private readonly options: DecisionOptions,
    private readonly pool: PoolOptions,
  ) {}

  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.target() }, () => this.spawn()));
    this.started = true;
  }

  review(body: string, now: Date, remainingMs: number, timeoutMs = remainingMs): Promise<ReviewResult> {
    if (this.closing || this.down()) return Promise.reject(new ReviewFailure("no evaluation worker is running", "webhook"));
    return new Promise((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        body,
        now: now.getTime(),
        timeoutMs,
        resolve,
        reject,
        timer: setTimeout(() => this.expire(task), remainingMs),
      };
      this.queue.push(task);
      this.dispatch();
    });
  }

  configure(settings: PolicySettings): void {
    this.settings = settings;
    for (const thread of this.threads) thread.worker.postMessage({ type: "configure", settings } satisfies ToWorker);
  }

  ready(): boolean {
    return this.threads.length > 0;
  }

  /** No worker has the policies loaded, and none is starting or the last start failed: nothing will take a review soon. */
  private down(): boolean {
    return this.threads.length === 0 && (this.starting === 0 || this.failedStarts > 0);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    for (const task of this.queue.splice(0)) this.settle(task, new ReviewFailure("the webhook is shutting down", "webhook"));
    await Promise.all([...this.live].map((w) => w.terminate()));
  }

  /** Starts one worker; resolves once it has loaded the policies. */
  private spawn(): Promise<void> {
    const settings = this.settings;
    const worker = startWorker(import.meta.url, "worker", { workerData: { settings, options: this.options } });
    const thread: Thread = { worker };
    this.live.add(worker);
    this.starting++;
    let ready = false;
    let failure: Error | undefined;
    return new Promise((resolve, reject) => {
      worker.on("message", (message: FromWorker) => {
        if ("ready" in message) {
          ready = true;
          this.starting--;
          this.failedStarts = 0;
          if (settings !== this.settings) worker.postMessage({ type: "configure", settings: this.settings } satisfies ToWorker);
          this.threads.push(thread);
          resolve();
          this.dispatch();
        } else this.finish(thread, message);
      });
      worker.on("error", (error) => (failure = error));
      worker.on("exit", (code) => {
        this.live.delete(worker);
        this.threads = this.threads.filter((t) => t !== thread);
        clearTimeout(thread.slowTimer);
        if (!ready) {
          this.starting--;
          if (this.closing) return resolve();
          reject(
            new Error(`evaluation worker exited with code ${code} while loading the policies${failure ? `: ${failure.message}` : ""}`),
          );
        }
        const task = thread.task;
        if (task && this.closing) this.settle(task, new ReviewFailure("the webhook is shutting down", "webhook"));
        else if (task) {
          const why = failure ? `: ${failure.message}` : "";
          this.settle(
            task,
            new ReviewFailure(`the evaluation worker stopped while evaluating this request (exit code ${code})${why}`, "request"),
          );
        }
        this.replenish();
      });
    });
  }

  /** Threads kept loaded: `workers` and the standby. */
  private target(): number {
    return this.pool.workers + 1;
  }

  /** Keeps `target()` threads loaded; restarts back off while starts keep failing. */
  private replenish(): void {
    if (this.closing || !this.started || this.restartTimer) return;
    if (this.threads.length + this.starting < this.target()) {
      this.spawn().then(
        () => this.event("worker replaced", `${this.threads.length} running`),
        (error: Error) => {
          const delay = RESTART_BACKOFF_MS[Math.min(this.failedStarts++, RESTART_BACKOFF_MS.length - 1)]!;
          this.event("worker start failed", `${error.message}; retrying in ${delay} ms`);
          this.restartTimer = setTimeout(() => {
            this.restartTimer = undefined;
            this.replenish();
          }, delay);
          this.restartTimer.unref();
        },
      );
    }
    // With no worker left, nothing would ever take the queue.
    if (this.down())
      for (const task of this.queue.splice(0)) this.settle(task, new ReviewFailure("no evaluation worker is running", "webhook"));
    this.dispatch();
  }

  private dispatch(): void {
    for (let idle = this.idle(); idle && this.queue.length && this.busy() < this.pool.workers + this.slowCount(); idle = this.idle())
      this.run(idle, this.queue.shift()!);
    this.addSpare();
    if (!this.queue.length) this.retireSpares();
  }

  private run(thread: Thread, task: Task): void {
    thread.task = task;
    task.thread = thread;
    thread.slowTimer = setTimeout(() => {
      task.slow = true;
      this.dispatch();
    }, this.pool.slowAfterMs);
    thread.worker.postMessage({ type: "review", id: task.id, body: task.body, now: task.now } satisfies ToWorker);
  }

  private finish(thread: Thread, message: Exclude<FromWorker, { ready: true }>): void {
    const task = thread.task;
    if (!task || task.id !== message.id) return;
    thread.task = undefined;
    clearTimeout(thread.slowTimer);
    if ("result" in message) {
      clearTimeout(task.timer);
      task.resolve(message.result);
    } else this.settle(task, new ReviewFailure(message.error, "request"));
    this.dispatch();
  }

  /** The deadline of a review: still waiting for a worker is an overload (always denied); still running, the request's fault. */
  private expire(task: Task): void {
    const thread = task.thread;
    if (!thread) {
      this.queue = this.queue.filter((t) => t !== task);
      task.reject(new ReviewFailure(`no evaluation worker was free within ${task.timeoutMs} ms`, "overload"));
      return;
    }
    thread.task = undefined;
    task.reject(new ReviewFailure(`evaluation timed out after ${task.timeoutMs} ms`, "request"));
    // The thread runs nothing else; it cannot be interrupted, so it is replaced at once.
    this.threads = this.threads.filter((t) => t !== thread);
    void thread.worker.terminate();
    this.replenish();
  }

  private settle(task: Task, failure: ReviewFailure): void {
    clearTimeout(task.timer);
    task.reject(failure);
  }

  private idle(): Thread | undefined {
    return this.threads.find((t) => !t.task);
  }

  private busy(): number {
    return this.threads.filter((t) => t.task).length;
  }

  private slowCount(): number {
    return this.threads.filter((t) => t.task?.slow).length;
  }

  /** Threads not held by slow reviews: `target()` of them keep `workers` and the standby free for the others. */
  private unheld(): number {
    return this.threads.length - this.slowCount();
  }

  /** A spare thread while slow reviews hold the standby (or more). */
  private addSpare(): void {
    const cap = 2 * this.pool.workers + 1;
    if (this.closing || !this.started || this.starting > 0 || this.threads.length >= cap || this.unheld() >= this.target()) return;
    this.spawn().then(
      () => this.event("spare worker started", `${this.threads.length} running`),
      (error: Error) => this.event("worker start failed", error.message),
    );
  }

  private retireSpares(): void {
    while (this.threads.length > this.target() && this.unheld() > this.target()) {
      const idle = this.idle();
      if (!idle) return;
      this.threads = this.threads.filter((t) => t !== idle);
      void idle.worker.terminate();
    }
  }

  private event(event: PoolEvent["event"], detail: string): void {
    if (!this.closing) this.pool.onEvent?.({ event, detail });
  }
}
