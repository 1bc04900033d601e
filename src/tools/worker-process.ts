/**
 * Worker processes: the pool's other kind of worker (src/tools/thread-pool.ts). Threads of one process
 * slow each other down on memory-heavy work (the same wasm evaluations took 30–40% more CPU in two threads
 * than in one; two processes side by side each ran as fast as one alone: docs/performance.md), so the
 * evaluation workers are processes. A process gets its start data and its tasks over the IPC channel
 * (`serialization: "advanced"`: the structured clone, as for threads).
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The first message a worker process receives: what a thread would find in `workerData`. */
export interface ProcessStart {
  workerData: unknown;
}

/** Whether this process is a worker process started by startWorkerProcess. */
export const isWorkerProcess = (): boolean => process.env.ERLMCP_AUDIT_WORKER_PROCESS === "1" && typeof process.send === "function";

/**
 * Messages that arrive before the worker module listens (it prepares its engines first) are kept here
 * and handed over in order: a child process, unlike a thread's port, drops a message nobody listens to.
 */
let inbox: unknown[] | undefined;
let deliver: ((message: unknown) => void) | undefined;
if (isWorkerProcess()) {
  inbox = [];
  process.on("message", (message) => (deliver ? deliver(message) : inbox!.push(message)));
  // The parent is gone (it exited or was killed): nothing will read our answers.
  process.on("disconnect", () => process.exit(0));
}

/** Hands every message (the ones kept so far first) to `handler`, in order. */
export function onProcessMessage(handler: (message: unknown) => void): void {
  if (!inbox) throw new Error("onProcessMessage runs in a worker process");
  deliver = handler;
  for (const message of inbox.splice(0)) handler(message);
}

/** The `workerData` the parent sent first (startWorkerProcess sends it before any task). */
export function processWorkerData(): Promise<unknown> {
  return new Promise((resolve) => {
    const first = inbox?.findIndex((m) => (m as Partial<ProcessStart>)?.workerData !== undefined) ?? -1;
    if (first >= 0) return resolve((inbox!.splice(first, 1)[0] as ProcessStart).workerData);
    const previous = deliver;
    deliver = (message) => {
      if ((message as Partial<ProcessStart>)?.workerData !== undefined) {
        deliver = previous;
        resolve((message as ProcessStart).workerData);
      } else inbox!.push(message);
    };
  });
}

/**
 * Node's own options for a worker process: the parent's (a heap limit, a loader), without those that run
 * code from the command line (`-e`, `-p` and their code, `--input-type`), with tsx's loader from the sources.
 */
export function childExecArgv(execArgv: readonly string[], fromSource: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (/^(-e|--eval|-p|--print)$/.test(arg)) i++;
    else if (!/^(--input-type|--eval=|--print=)/.test(arg)) out.push(arg);
  }
  const hasTsx = out.some((a, i) => (a === "--import" && out[i + 1] === "tsx") || a === "--import=tsx");
  return fromSource && !hasTsx ? [...out, "--import", "tsx"] : out;
}

/**
 * Starts the worker module `name` (no extension) of the folder of `callerUrl` as a process, and sends it
 * `workerData` first. From the TypeScript sources the child imports tsx's loader first.
 */
export function startWorkerProcess(callerUrl: string, name: string, workerData: unknown): ChildProcess {
  const fromSource = callerUrl.endsWith(".ts");
  const path = fileURLToPath(new URL(`./${name}.${fromSource ? "ts" : "js"}`, callerUrl));
  const child = fork(path, [], {
    serialization: "advanced",
    execArgv: childExecArgv(process.execArgv, fromSource),
    env: { ...process.env, ERLMCP_AUDIT_WORKER_PROCESS: "1" },
    // Whatever it prints goes to stderr: stdout may be carrying the report.
    stdio: ["ignore", 2, 2, "ipc"],
  });
  child.send({ workerData } satisfies ProcessStart);
  return child;
}
