/**
 * Starting a worker thread whose module sits beside the caller. Run from the TypeScript sources
 * (tests, tsx, this repository) the worker registers the tsx loader (resolved from the working
 * directory) before importing the `.ts` module; run from dist/ it loads the `.js` module directly.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * The caller's Node options without those about its own entry (`--input-type`, which a worker refuses
 * when its module is a file: `node --input-type=module -e "…"` must still start threads).
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    if (execArgv[i] === "--input-type") i++;
    else if (!execArgv[i]!.startsWith("--input-type=")) out.push(execArgv[i]!);
  }
  return out;
}

/** Starts the worker module `name` (no extension) of the folder of `callerUrl` (the caller's `import.meta.url`). */
export function startWorker(callerUrl: string, name: string, given: Omit<WorkerOptions, "eval"> = {}): Worker {
  const options = { execArgv: workerExecArgv(), ...given };
  const fromSource = callerUrl.endsWith(".ts");
  const url = new URL(`./${name}.${fromSource ? "ts" : "js"}`, callerUrl);
  if (!fromSource) return new Worker(url, options);
  const script = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(script, { ...options, eval: true });
}
