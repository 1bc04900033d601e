/**
 * A worker for test/tools/thread-pool.test.ts: doubles numbers, stops the thread on "exit", throws on
 * "throw"; as a process, prints on "print" (to stdout, which the pool sends to stderr) and kills itself
 * with SIGKILL on "kill".
 */
import { serveTasks } from "../../src/tools/thread-pool.js";

let offset = 0;
serveTasks<number | "exit" | "throw" | "print" | "kill", number, number>(
  async (task) => {
    if (task === "exit") process.exit(3);
    if (task === "print") {
      process.stdout.write("printed by a worker\n");
      return 0;
    }
    if (task === "kill") {
      process.kill(process.pid, "SIGKILL");
      return 0;
    }
    if (task === "throw") throw new Error("refused");
    await new Promise((resolve) => setTimeout(resolve, 5));
    return task * 2 + offset;
  },
  (message) => (offset = message),
);
