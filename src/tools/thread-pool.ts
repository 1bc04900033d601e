/**
 * A pool of worker threads that run tasks from one queue: each thread runs one task at a time, and a
 * task goes to the first idle thread, so the order in which results arrive depends on the threads but
 * each caller gets its own task's result. Threads start as work arrives (or all at once, `eager`).
 *
 * A thread that stops (out of memory, a crash) fails the task it was running and every task still
 * queued, and the pool refuses all later ones: the caller fails loudly rather than lose work.
 * The worker module answers with {@link serveTasks}.
 */
import { parentPort, type TransferListItem } from "node:worker_threads";
import { isWorkerProcess, onProcessMessage, startWorkerProcess } from "./worker-process.js";
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
  /**
   * Workers are processes (src/tools/worker-process.ts), not threads: no shared memory, so nothing to
   * transfer, and `workerData` arrives as the first message.
   */
  processes?: boolean;
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

/** A thread or a process, as the pool uses it. */
interface PoolWorker {
  send(message: unknown, transfer?: readonly TransferListItem[]): void;
  on(event: "message" | "error", listener: (value: never) => void): void;
  /** `exit code 3`, `signal SIGKILL`. */
  onExit(listener: (how: string) => void): void;
  stop(): Promise<unknown>;
}

function startPoolWorker(options: ThreadPoolOptions): PoolWorker {
  if (options.processes) {
    const child = startWorkerProcess(options.callerUrl, options.module, options.workerData);
    return {
      send: (message) => child.send(message as never),
      on: (event, listener) => void child.on(event, listener as (value: unknown) => void),
      onExit: (listener) => child.on("exit", (code, signal) => listener(code === null ? `signal ${signal}` : `exit code ${code}`)),
      stop: () =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
          child.once("exit", resolve);
          child.kill();
        }),
    };
  }
  const worker = startWorker(options.callerUrl, options.module, { workerData: options.workerData });
  return {
    send: (message, transfer) => worker.postMessage(message, transfer),
    on: (event, listener) => void worker.on(event, listener as (value: unknown) => void),
    onExit: (listener) => worker.on("exit", (code) => listener(`exit code ${code}`)),
    stop: () => worker.terminate(),
  };
}

interface Thread<In, Out> {
  worker: PoolWorker;
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
        thread.worker.send(message, task.transfer);
      }
    }
    if (queue.length && threads.length < max) spawn();
  };

  const spawn = () => {
    const thread: Thread<In, Out> = {
      worker: startPoolWorker(options),
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
    thread.worker.onExit((how) => {
      threads.splice(threads.indexOf(thread), 1);
      if (closing) return;
      const task = thread.running[0];
      const stopped = new Error(
        `a${/^[aeiou]/.test(options.role) ? "n" : ""} ${options.role} worker ${options.processes ? "process" : "thread"} stopped (${how}${error ? `: ${error.message}` : ""})${task ? ` while ${task.describe}` : ""}; the audit cannot go on without it`,
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
      for (const thread of threads) thread.worker.send({ broadcast: message } satisfies ToPoolThread<In, B>);
    },
    async close() {
      closing = true;
      const closed = new Error(`the ${options.role} pool is closed`);
      for (const task of queue.splice(0)) task.reject(closed);
      for (const thread of threads) for (const sent of thread.running.splice(0)) sent.reject(closed);
      await Promise.all(threads.map((t) => t.worker.stop()));
    },
  };
}

/**
 * The worker side: answers each task with `handle`'s result (or its exception's message), one at a
 * time in the order they arrive, and passes broadcasts to `onBroadcast` in the same order.
 */
export function serveTasks<In, Out, B = never>(handle: (task: In) => Out | Promise<Out>, onBroadcast?: (message: B) => void): void {
  type Listen = (handler: (message: unknown) => void) => void;
  const thread = parentPort;
  const port: { listen: Listen; reply: (message: unknown) => void } | undefined = thread
    ? { listen: (h) => void thread.on("message", h), reply: (m) => thread.postMessage(m) }
    : isWorkerProcess()
      ? { listen: onProcessMessage, reply: (m) => void process.send!(m) }
      : undefined;
  if (!port) throw new Error("serveTasks runs in a worker thread or process");
  let chain = Promise.resolve();
  port.listen((received) => {
    const message = received as ToPoolThread<In, B>;
    chain = chain.then(async () => {
      if ("broadcast" in message) return onBroadcast?.(message.broadcast);
      let reply: FromPoolThread<Out>;
      try {
        reply = { id: message.id, result: await handle(message.task) };
      } catch (error) {
        reply = { id: message.id, error: error instanceof Error ? error.message : String(error) };
      }
      port.reply(reply);
    });
  });
}
