/** Runs reviews in worker threads (one wasm instance each), or inline when workers is 0. */
import { Worker } from "node:worker_threads";
import { AdmissionEvaluator, type PolicySettings } from "./evaluator.js";
import { handleReview, type DecisionOptions, type ReviewResult } from "./review.js";

export type ToWorker = { type: "configure"; settings: PolicySettings } | { type: "review"; id: number; body: string; now: number };
type FromWorker = { ready: true } | { id: number; result: ReviewResult } | { id: number; error: string };

export interface Reviewer {
  review(body: string, now: Date): Promise<ReviewResult>;
  configure(settings: PolicySettings): void;
  close(): Promise<void>;
}

export async function createReviewer(workers: number, settings: PolicySettings, options: DecisionOptions): Promise<Reviewer> {
  if (workers <= 0) {
    const evaluator = await AdmissionEvaluator.load(settings);
    return {
      review: async (body, now) => handleReview(body, evaluator, options, now),
      configure: (s) => evaluator.configure(s),
      close: async () => {},
    };
  }
  const pool = new WorkerPool(settings, options);
  await Promise.all(Array.from({ length: workers }, () => pool.spawn()));
  return pool;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: ReviewResult) => void; reject: (e: Error) => void }>;
}

// Run from the TypeScript sources (tests, tsx, in this repository), a worker registers the tsx loader
// (resolved from the working directory) before importing worker.ts.
const fromSource = import.meta.url.endsWith(".ts");
const WORKER_URL = new URL(fromSource ? "./worker.ts" : "./worker.js", import.meta.url);
const workerScript = (): URL | string =>
  fromSource ? `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });` : WORKER_URL;

class WorkerPool implements Reviewer {
  private slots: Slot[] = [];
  private nextId = 0;
  private closing = false;

  constructor(
    private settings: PolicySettings,
    private readonly options: DecisionOptions,
  ) {}

  spawn(): Promise<void> {
    const settings = this.settings;
    const worker = new Worker(workerScript(), { eval: fromSource, workerData: { settings, options: this.options } });
    const slot: Slot = { worker, pending: new Map() };
    return new Promise((resolve, reject) => {
      worker.on("message", (message: FromWorker) => {
        if ("ready" in message) {
          if (settings !== this.settings) worker.postMessage({ type: "configure", settings: this.settings } satisfies ToWorker);
          this.slots.push(slot);
          resolve();
          return;
        }
        const task = slot.pending.get(message.id);
        slot.pending.delete(message.id);
        if ("result" in message) task?.resolve(message.result);
        else task?.reject(new Error(message.error));
      });
      worker.on("error", (error) => reject(error));
      worker.on("exit", (code) => {
        const wasReady = this.slots.includes(slot);
        this.slots = this.slots.filter((s) => s !== slot);
        for (const task of slot.pending.values()) task.reject(new Error(`evaluation worker exited with code ${code}`));
        slot.pending.clear();
        if (!wasReady) reject(new Error(`evaluation worker exited with code ${code} while loading the policies`));
        else if (!this.closing) this.spawn().catch(() => {});
      });
    });
  }

  review(body: string, now: Date): Promise<ReviewResult> {
    const slot = this.slots.reduce<Slot | undefined>((best, s) => (!best || s.pending.size < best.pending.size ? s : best), undefined);
    if (!slot) return Promise.reject(new Error("no evaluation worker is running"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ type: "review", id, body, now: now.getTime() } satisfies ToWorker);
    });
  }

  configure(settings: PolicySettings): void {
    this.settings = settings;
    for (const slot of this.slots) slot.worker.postMessage({ type: "configure", settings } satisfies ToWorker);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
