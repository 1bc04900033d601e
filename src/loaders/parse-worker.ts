/** A parse worker thread: parses, strips and type-checks the streams the main thread sends, one at a time. */
import { serveTasks } from "../tools/thread-pool.js";
import { parseStream, type ParsedStream } from "./parse-cached.js";
import type { ParseTask } from "./parse-pool.js";

serveTasks<ParseTask, ParsedStream>((task) => parseStream(task.text, task.options));
