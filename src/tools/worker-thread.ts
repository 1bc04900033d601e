/**
 * Starting a worker thread whose module sits beside the caller. Run from the TypeScript sources
 * (tests, tsx, this repository) the worker registers the tsx loader (resolved from the working
 * directory) before importing the `.ts` module; run from dist/ it loads the `.js` module directly.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** Starts the worker module `name` (no extension) of the folder of `callerUrl` (the caller's `import.meta.url`). */
export function startWorker(callerUrl: string, name: string, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  const fromSource = callerUrl.endsWith(".ts");
  const url = new URL(`./${name}.${fromSource ? "ts" : "js"}`, callerUrl);
  if (!fromSource) return new Worker(url, options);
  const script = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(script, { ...options, eval: true });
}
