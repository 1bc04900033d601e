/**
 * Starting a worker thread whose module sits beside the caller. Run from the TypeScript sources
 * (tests, tsx, this repository) the worker registers the tsx loader (resolved from the working
 * directory) before importing the `.ts` module; run from dist/ it loads the `.js` module directly.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Whether the process was started with `--input-type` (`node --input-type=module -e "…"`): a worker
 * inherits it and then refuses a file as its entry, so the module is imported from an evaluated string.
 */
export function hasEntryTypeFlag(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((a) => a === "--input-type" || a.startsWith("--input-type="));
}

/** Starts the worker module `name` (no extension) of the folder of `callerUrl` (the caller's `import.meta.url`). */
export function startWorker(callerUrl: string, name: string, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  const fromSource = callerUrl.endsWith(".ts");
  const url = new URL(`./${name}.${fromSource ? "ts" : "js"}`, callerUrl);
  const load = `import(${JSON.stringify(url.href)})`;
  if (fromSource)
    return new Worker(`import("tsx/esm/api").then((tsx) => { tsx.register(); return ${load}; });`, { ...options, eval: true });
  return hasEntryTypeFlag() ? new Worker(load, { ...options, eval: true }) : new Worker(url, options);
}
