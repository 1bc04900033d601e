/** Runs reviews in worker threads (one wasm instance each), or inline when workers is 0. */
import { Worker } from "node:worker_threads";
import { AdmissionEvaluator, type PolicySettings } from "./evaluator.js";
import { handleReview, type DecisionOptions, type ReviewResult } from "./review.js";

export type ToWorker = { type: "configure"; settings: PolicySettings } | { type: "review"; id: number; body: string; now: number };
type FromWorker = { ready: true } | { id: number; result: ReviewResult } | { id: number; error: string };

export class EvaluationTimeout extends Error {}

export interface Reviewer {
  /** With workers, a review still running after timeoutMs is abandoned and its worker replaced. */
  review(body: string, now: Date, timeoutMs: number): Promise<ReviewResult>;
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
  ready: boolean;
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
    const slot: Slot = { worker, ready: false, pending: new Map() };
    return new Promise((resolve, reject) => {
      worker.on("message", (message: FromWorker) => {
        if ("ready" in message) {
          if (settings !== this.settings) worker.postMessage({ type: "configure", settings: this.settings } satisfies ToWorker);
          slot.ready = true;
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
        this.slots = this.slots.filter((s) => s !== slot);
        for (const task of slot.pending.values()) task.reject(new Error(`evaluation worker exited with code ${code}`));
        slot.pending.clear();
        if (!slot.ready) reject(new Error(`evaluation worker exited with code ${code} while loading the policies`));
        else if (!this.closing) this.spawn().catch(() => {});
      });
    });
  }

  review(body: string, now: Date, timeoutMs: number): Promise<ReviewResult> {
    const slot = this.slots.reduce<Slot | undefined>((best, s) => (!best || s.pending.size < best.pending.size ? s : best), undefined);
    if (!slot) return Promise.reject(new Error("no evaluation worker is running"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A worker stuck on one huge object would hold up every request queued behind it: replace it.
      const timer = setTimeout(() => {
        if (!slot.pending.delete(id)) return;
        reject(new EvaluationTimeout());
        this.slots = this.slots.filter((s) => s !== slot);
        void slot.worker.terminate();
      }, timeoutMs);
      const done = () => clearTimeout(timer);
      slot.pending.set(id, { resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)) });
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
