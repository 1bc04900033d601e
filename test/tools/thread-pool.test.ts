/** The thread pool behind the parse and evaluation threads: results go to their callers, broadcasts arrive in order, a dead thread fails loudly. */
import { describe, expect, it } from "vitest";
import { createThreadPool } from "../../src/tools/thread-pool.js";
import { hasEntryTypeFlag } from "../../src/tools/worker-thread.js";

const pool = (size: number, eager = false, depth?: number) =>
  createThreadPool<number | "exit" | "throw", number, number>({
    callerUrl: import.meta.url,
    module: "pool-worker",
    size,
    role: "test",
    eager,
    depth,
  });

describe("createThreadPool", () => {
  it("gives each caller its own task's result, whichever thread ran it", async () => {
    const p = pool(3);
    try {
      const inputs = Array.from({ length: 40 }, (_, i) => i);
      expect(await Promise.all(inputs.map((i) => p.run(i, `task ${i}`)))).toEqual(inputs.map((i) => i * 2));
    } finally {
      await p.close();
    }
  });

  it("delivers a broadcast to every thread before the tasks queued after it", async () => {
    const p = pool(2, true);
    try {
      p.broadcast(1000);
      expect(await Promise.all([1, 2, 3, 4].map((i) => p.run(i, "after")))).toEqual([1002, 1004, 1006, 1008]);
    } finally {
      await p.close();
    }
  });

  it("rejects a task whose handler throws, and goes on", async () => {
    const p = pool(1);
    try {
      await expect(p.run("throw", "refusing")).rejects.toThrow("refused");
      expect(await p.run(5, "after")).toBe(10);
    } finally {
      await p.close();
    }
  });

  it("fails the running task, the queued ones and every later one when a thread stops", async () => {
    const p = pool(1);
    try {
      const dying = p.run("exit", "stopping on purpose");
      const queued = p.run(1, "queued");
      await expect(dying).rejects.toThrow(/a test worker thread stopped \(exit code 3\) while stopping on purpose; the audit cannot go on/);
      await expect(queued).rejects.toThrow(/exit code 3/);
      await expect(p.run(2, "later")).rejects.toThrow(/exit code 3/);
    } finally {
      await p.close();
    }
  });

  it("lets the caller take back the tasks no thread was sent, to run them itself", async () => {
    const p = pool(1, true);
    try {
      const results = [1, 2, 3].map((i) => p.run(i, `task ${i}`));
      const taken = p.take()!;
      expect(taken.task).toBe(2);
      taken.resolve(-2);
      const last = p.take()!;
      expect(last.task).toBe(3);
      const failed = expect(results[2]).rejects.toThrow("ran by the caller and failed");
      last.reject(new Error("ran by the caller and failed"));
      expect(p.take()).toBeUndefined();
      expect(await results[0]).toBe(2);
      expect(await results[1]).toBe(-2);
      await failed;
    } finally {
      await p.close();
    }
  });

  it("sends a thread `depth` tasks before its first answer, and fails all of them when it stops", async () => {
    const p = pool(1, true, 2);
    try {
      const dying = p.run("exit", "stopping on purpose");
      const sent = p.run(1, "sent with it");
      void p.run(2, "queued, then taken back (never settled)");
      expect(p.take()?.task).toBe(2);
      await expect(dying).rejects.toThrow(/exit code 3\) while stopping on purpose/);
      await expect(sent).rejects.toThrow(/exit code 3/);
      expect(p.take()).toBeUndefined();
      await expect(p.run(4, "later")).rejects.toThrow(/exit code 3/);
    } finally {
      await p.close();
    }
  });

  it("answers every task at depth 2, in any order of completion, to its own caller", async () => {
    const p = pool(2, true, 2);
    try {
      const inputs = Array.from({ length: 30 }, (_, i) => i);
      expect(await Promise.all(inputs.map((i) => p.run(i, `task ${i}`)))).toEqual(inputs.map((i) => i * 2));
    } finally {
      await p.close();
    }
  });

  it("refuses broadcasts on a pool that starts threads on demand, and tasks once closed", async () => {
    const p = pool(1);
    expect(() => p.broadcast(1)).toThrow("eager");
    await p.close();
    await expect(p.run(1, "late")).rejects.toThrow("closed");
  });
});

describe("hasEntryTypeFlag", () => {
  it("sees --input-type in both spellings, and nothing else", () => {
    expect(hasEntryTypeFlag(["--max-old-space-size=80", "--input-type=module"])).toBe(true);
    expect(hasEntryTypeFlag(["--input-type", "commonjs"])).toBe(true);
    expect(hasEntryTypeFlag(["--max-old-space-size=80", "--cpu-prof"])).toBe(false);
  });
});
