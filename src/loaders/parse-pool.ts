/**
 * Parses streams in worker threads: each thread runs the same parseStream as the in-thread path, and
 * the main thread reads the results in the order it asked for them, so what a load produces does not
 * depend on the number of threads. Threads start on demand, up to the pool's size, and each runs one
 * stream at a time from a shared queue.
 *
 * A thread that stops (out of memory, a crash) fails the stream it was parsing and every stream still
 * queued, and the pool refuses all later ones: the load fails loudly rather than lose a file.
 */
import { createThreadPool } from "../tools/thread-pool.js";
import type { ParsedStream, StreamOptions } from "./parse-cached.js";

/** A task of a parse worker. */
export interface ParseTask {
  text: string;
  options: StreamOptions;
}

/** Parses streams off the main thread. */
export interface ParsePool {
  /** Resolves with what parseStream gives in this thread; rejects when it throws or the thread parsing it stops. */
  parse(text: string, options: StreamOptions): Promise<ParsedStream>;
  /** Stops every thread; streams not parsed yet are rejected. */
  close(): Promise<void>;
}

let threadsStarted = 0;

/** How many parse threads this process has started so far (diagnostics; tests prove with it that the threads ran). */
export function parseThreadsStarted(): number {
  return threadsStarted;
}

/** A pool of at most `size` parse threads (at least one), started as work arrives. */
export function createParsePool(size: number): ParsePool {
  const pool = createThreadPool<ParseTask, ParsedStream>({
    callerUrl: import.meta.url,
    module: "parse-worker",
    size,
    role: "parse",
    onStart: () => threadsStarted++,
  });
  return {
    parse: (text, options) => pool.run({ text, options }, `parsing ${options.file}`),
    close: () => pool.close(),
  };
}
