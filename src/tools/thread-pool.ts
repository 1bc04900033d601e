/**
 * A pool of worker threads that run tasks from one queue: each thread runs one task at a time, and a
 * task goes to the first idle thread, so the order in which results arrive depends on the threads but
 * each caller gets its own task's result. Threads start as work arrives (or all at once, `eager`).
 *
 * A thread that stops (out of memory, a crash) fails the task it was running and every task still
 * queued, and the pool refuses all later ones: the caller fails loudly rather than lose work.
 * The worker module answers with {@link serveTasks}.
 */
import { parentPort, type TransferListItem, type Worker } from "node:worker_threads";
import { startWorker } from "./worker-thread.js";

/** A message to a pool thread: a task to answer, or a broadcast (no answer) every thread receives. */
export type ToPoolThread<In, B> = { id: number; task: In } | { broadcast: B };
/** A pool thread's answer to one task. */
export type FromPoolThread<Out> = { id: number; result: Out } | { id: number; error: string };

export interface ThreadPoolOptions {
  /** The caller's `import.meta.url` and the worker module beside it (no extension). */
  callerUrl: string;
  module: string;
  /** Threads at most (at least one). */
  size: number;
  /** What the threads do, for the message of a thread that stops ("parse", "evaluation"). */
  role: string;
  workerData?: unknown;
  /** Start every thread at once (needed for broadcasts); default: one more thread per queued task. */
  eager?: boolean;
  /** Called as each thread starts. */
  onStart?: () => void;
  /**
   * Tasks sent to a thread before it answers the first (default 1): with 2, a thread starts its next
   * task as soon as it answers, without waiting for the caller's event loop to send it one.
   */
  depth?: number;
}

/** A queued task taken back by the caller to run itself (ThreadPool.take). */
export interface TakenTask<In, Out> {
  task: In;
  resolve(result: Out): void;
  reject(error: Error): void;
}

export interface ThreadPool<In, Out, B = never> {
  /** Resolves with the thread's result; rejects with the thread's error, or when the thread stops or the pool closes. */
  run(task: In, describe: string, transfer?: readonly TransferListItem[]): Promise<Out>;
  /** The next queued task no thread was sent yet, for the caller to run and settle itself; undefined when none is left. */
  take(): TakenTask<In, Out> | undefined;
  /** Sends a message every thread handles before any task queued after it (eager pools only). */
  broadcast(message: B): void;
  /** Stops every thread; tasks not finished are rejected. */
  close(): Promise<void>;
}

interface Task<In, Out> {
  id: number;
  task: In;
  describe: string;
  transfer?: readonly TransferListItem[];
  resolve(result: Out): void;
  reject(error: Error): void;
}

interface Thread<In, Out> {
  worker: Worker;
  /** Tasks sent and not answered yet, in the order sent (a thread answers in that order). */
  running: Task<In, Out>[];
}

/** A pool of at most `size` threads running the worker module `module`. */
export function createThreadPool<In, Out, B = never>(options: ThreadPoolOptions): ThreadPool<In, Out, B> {
  const max = Math.max(1, Math.floor(options.size));
  const depth = Math.max(1, Math.floor(options.depth ?? 1));
  const threads: Thread<In, Out>[] = [];
  const queue: Task<In, Out>[] = [];
  let nextId = 0;
  let failure: Error | undefined;
  let closing = false;

  const fail = (error: Error) => {
    failure ??= error;
    for (const task of queue.splice(0)) task.reject(failure);
  };

  const dispatch = () => {
    for (const thread of threads) {
      while (thread.running.length < depth && queue.length) {
        const task = queue.shift()!;
        thread.running.push(task);
        const message: ToPoolThread<In, B> = { id: task.id, task: task.task };
        thread.worker.postMessage(message, task.transfer);
      }
    }
    if (queue.length && threads.length < max) spawn();
  };

  const spawn = () => {
    const thread: Thread<In, Out> = {
      worker: startWorker(options.callerUrl, options.module, { workerData: options.workerData }),
      running: [],
    };
    options.onStart?.();
    let error: Error | undefined;
    thread.worker.on("message", (message: FromPoolThread<Out>) => {
      const task = thread.running[0];
      if (!task || task.id !== message.id) return;
      thread.running.shift();
      if ("result" in message) task.resolve(message.result);
      else task.reject(new Error(message.error));
      dispatch();
    });
    thread.worker.on("error", (e) => (error = e));
    thread.worker.on("exit", (code) => {
      threads.splice(threads.indexOf(thread), 1);
      if (closing) return;
      const task = thread.running[0];
      const stopped = new Error(
        `a${/^[aeiou]/.test(options.role) ? "n" : ""} ${options.role} worker thread stopped (exit code ${code}${error ? `: ${error.message}` : ""})${task ? ` while ${task.describe}` : ""}; the audit cannot go on without it`,
      );
      for (const sent of thread.running.splice(0)) sent.reject(stopped);
      fail(stopped);
    });
    threads.push(thread);
    dispatch();
  };

  if (options.eager) for (let i = 0; i < max; i++) spawn();

  return {
    run(task, describe, transfer) {
      if (failure) return Promise.reject(failure);
      if (closing) return Promise.reject(new Error(`the ${options.role} pool is closed`));
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, task, describe, transfer, resolve, reject });
        dispatch();
      });
    },
    take() {
      const task = queue.shift();
      return task && { task: task.task, resolve: task.resolve, reject: task.reject };
    },
    broadcast(message) {
      if (!options.eager) throw new Error("broadcast needs an eager pool");
      for (const thread of threads) thread.worker.postMessage({ broadcast: message } satisfies ToPoolThread<In, B>);
    },
    async close() {
      closing = true;
      const closed = new Error(`the ${options.role} pool is closed`);
      for (const task of queue.splice(0)) task.reject(closed);
      for (const thread of threads) for (const sent of thread.running.splice(0)) sent.reject(closed);
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}

/** Lets the event loop run (the threads' answers, the next tasks sent to them) between two tasks of the calling thread. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs in the calling thread, one at a time, the queued tasks of `pool` no thread was sent yet (`take`),
 * settling each as its thread would, and yielding to the event loop after each; resolves with how many it ran.
 */
export async function runTakenHere<In, Out, B>(pool: ThreadPool<In, Out, B>, handle: (task: In) => Out | Promise<Out>): Promise<number> {
  let ran = 0;
  for (let taken = pool.take(); taken; taken = pool.take()) {
    ran++;
    try {
      taken.resolve(await handle(taken.task));
    } catch (error) {
      taken.reject(error instanceof Error ? error : new Error(String(error)));
    }
    await turn();
  }
  return ran;
}

/**
 * The worker side: answers each task with `handle`'s result (or its exception's message), one at a
 * time in the order they arrive, and passes broadcasts to `onBroadcast` in the same order.
 */
export function serveTasks<In, Out, B = never>(handle: (task: In) => Out | Promise<Out>, onBroadcast?: (message: B) => void): void {
  const port = parentPort;
  if (!port) throw new Error("serveTasks runs in a worker thread");
  let chain = Promise.resolve();
  port.on("message", (message: ToPoolThread<In, B>) => {
    chain = chain.then(async () => {
      if ("broadcast" in message) return onBroadcast?.(message.broadcast);
      let reply: FromPoolThread<Out>;
      try {
        reply = { id: message.id, result: await handle(message.task) };
      } catch (error) {
        reply = { id: message.id, error: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
    });
  });
}
