/**
 * Parses streams in worker threads: each thread runs the same parseStream as the in-thread path, and
 * the main thread reads the results in the order it asked for them, so what a load produces does not
 * depend on the number of threads. Threads start on demand, up to the pool's size, and each runs one
 * stream at a time from a shared queue.
 *
 * A thread that stops (out of memory, a crash) fails the stream it was parsing and every stream still
 * queued, and the pool refuses all later ones: the load fails loudly rather than lose a file.
 */
import type { Worker } from "node:worker_threads";
import { startWorker } from "../tools/worker-thread.js";
import type { ParsedStream, StreamOptions } from "./parse-cached.js";

/** A message to a parse worker. */
export interface ToParseWorker {
  id: number;
  text: string;
  options: StreamOptions;
}

/** A parse worker's answer: the parsed stream, or the message of the exception parseStream threw. */
export type FromParseWorker = { id: number; result: ParsedStream } | { id: number; error: string };

/** Parses streams off the main thread. */
export interface ParsePool {
  /** Resolves with what parseStream gives in this thread; rejects when it throws or the thread parsing it stops. */
  parse(text: string, options: StreamOptions): Promise<ParsedStream>;
  /** Stops every thread; streams not parsed yet are rejected. */
  close(): Promise<void>;
}

interface Task extends ToParseWorker {
  resolve(result: ParsedStream): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  task?: Task;
}

let threadsStarted = 0;

/** How many parse threads this process has started so far (diagnostics; tests prove with it that the threads ran). */
export function parseThreadsStarted(): number {
  return threadsStarted;
}

/** A pool of at most `size` parse threads (at least one), started as work arrives. */
export function createParsePool(size: number): ParsePool {
  const max = Math.max(1, Math.floor(size));
  const threads: Thread[] = [];
  const queue: Task[] = [];
  let nextId = 0;
  let failure: Error | undefined;
  let closing = false;

  const fail = (error: Error) => {
    failure ??= error;
    for (const task of queue.splice(0)) task.reject(failure);
  };

  const dispatch = () => {
    for (const thread of threads) {
      if (thread.task || !queue.length) continue;
      const task = (thread.task = queue.shift()!);
      thread.worker.postMessage({ id: task.id, text: task.text, options: task.options } satisfies ToParseWorker);
    }
    if (queue.length && threads.length < max) spawn();
  };

  const spawn = () => {
    const thread: Thread = { worker: startWorker(import.meta.url, "parse-worker") };
    threadsStarted++;
    let error: Error | undefined;
    thread.worker.on("message", (message: FromParseWorker) => {
      const task = thread.task;
      if (!task || task.id !== message.id) return;
      thread.task = undefined;
      if ("result" in message) task.resolve(message.result);
      else task.reject(new Error(message.error));
      dispatch();
    });
    thread.worker.on("error", (e) => (error = e));
    thread.worker.on("exit", (code) => {
      threads.splice(threads.indexOf(thread), 1);
      if (closing) return;
      const task = thread.task;
      const stopped = new Error(
        `a parse worker thread stopped (exit code ${code}${error ? `: ${error.message}` : ""})${task ? ` while parsing ${task.options.file}` : ""}; the audit cannot go on without it`,
      );
      task?.reject(stopped);
      fail(stopped);
    });
    threads.push(thread);
    dispatch();
  };

  return {
    parse(text, options) {
      if (failure) return Promise.reject(failure);
      if (closing) return Promise.reject(new Error("the parse pool is closed"));
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, text, options, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closing = true;
      for (const task of queue.splice(0)) task.reject(new Error("the parse pool is closed"));
      for (const thread of threads) thread.task?.reject(new Error("the parse pool is closed"));
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
