/**
 * Parses streams in worker threads and in the calling thread: each runs the same parseStream, and the
 * caller reads the results in the order it asked for them, so what a load produces does not depend on
 * the number of threads. Streams wait in one queue; threads start on demand, up to the pool's size, and
 * each takes the next one when it has answered; the calling thread parses the streams no thread has
 * taken (`parseQueued`), yielding to its event loop after each so that the threads get theirs.
 *
 * A thread that stops (out of memory, a crash) fails the stream it was parsing and every stream still
 * queued, and the pool refuses all later ones: the load fails loudly rather than lose a file.
 */
import { createThreadPool, runTakenHere } from "../tools/thread-pool.js";
import { parseStream, type ParsedStream, type StreamOptions } from "./parse-cached.js";

/** A task of a parse worker. */
export interface ParseTask {
  text: string;
  options: StreamOptions;
}

/** Parses streams off the main thread. */
export interface ParsePool {
  /** Resolves with what parseStream gives in this thread; rejects when it throws or the thread parsing it stops. */
  parse(text: string, options: StreamOptions): Promise<ParsedStream>;
  /** Parses in this thread, one at a time, the queued streams no thread has taken; resolves when none is left. */
  parseQueued(): Promise<void>;
  /** Stops every thread; streams not parsed yet are rejected. */
  close(): Promise<void>;
}

let threadsStarted = 0;
let parsedHere = 0;

/** How many pool streams the calling thread parsed itself (diagnostics; tests prove with it that it takes its share). */
export function streamsParsedHere(): number {
  return parsedHere;
}

/** How many parse threads this process has started so far (diagnostics; tests prove with it that the threads ran). */
export function parseThreadsStarted(): number {
  return threadsStarted;
}

/** A pool of at most `size` parse threads besides the calling thread (at least one), started as work arrives. */
export function createParsePool(size: number): ParsePool {
  const pool = createThreadPool<ParseTask, ParsedStream>({
    callerUrl: import.meta.url,
    module: "parse-worker",
    size,
    role: "parse",
    // A thread starts its next stream as soon as it answers, while the calling thread parses one of its own.
    depth: 2,
    onStart: () => threadsStarted++,
  });
  return {
    parse: (text, options) => pool.run({ text, options }, `parsing ${options.file}`),
    async parseQueued() {
      parsedHere += await runTakenHere(pool, (task) => parseStream(task.text, task.options));
    },
    close: () => pool.close(),
  };
}
