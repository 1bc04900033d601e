/**
 * The worker threads of the review pool (see pool.ts for how reviews are scheduled over them): one
 * queue feeds every thread, slow reviews get spares, and a thread running past a deadline is replaced.
 */
import type { Worker } from "node:worker_threads";
import { startWorker } from "../tools/worker-thread.js";
import type { PolicySettings } from "./evaluator.js";
import { ReviewFailure, type FromWorker, type PoolEvent, type PoolOptions, type Reviewer, type ToWorker } from "./pool-types.js";
import type { DecisionOptions, ReviewResult } from "./types.js";

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

/** Reviews in worker threads, each with the policies loaded (see pool.ts). */
export class WorkerPool implements Reviewer {
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
