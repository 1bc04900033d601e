/** A worker for test/tools/thread-pool.test.ts: doubles numbers, stops the thread on "exit", throws on "throw". */
import { serveTasks } from "../../src/tools/thread-pool.js";

let offset = 0;
serveTasks<number | "exit" | "throw", number, number>(
  async (task) => {
    if (task === "exit") process.exit(3);
    if (task === "throw") throw new Error("refused");
    await new Promise((resolve) => setTimeout(resolve, 5));
    return task * 2 + offset;
  },
  (message) => (offset = message),
);
