/** A parse worker thread: parses, strips and type-checks the streams the main thread sends, one at a time. */
import { parentPort } from "node:worker_threads";
import { parseStream } from "./parse-cached.js";
import type { FromParseWorker, ToParseWorker } from "./parse-pool.js";

const port = parentPort!;
port.on("message", async (message: ToParseWorker) => {
  let reply: FromParseWorker;
  try {
    reply = { id: message.id, result: await parseStream(message.text, message.options) };
  } catch (error) {
    reply = { id: message.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
