import { describe, expect, it } from "vitest";
import { busyClock } from "../../src/tools/busy-clock.js";
import { limiter } from "../../src/tools/limiter.js";

/** A task that ends when `finish` is called, and a clock moved by hand. */
function gate(): { promise: Promise<void>; finish(): void } {
  let finish!: () => void;
  return { promise: new Promise<void>((resolve) => (finish = resolve)), finish };
}

describe("busyClock", () => {
  it("counts overlapping tasks once and the gaps between them not at all", async () => {
    let t = 0;
    const clock = busyClock(limiter(4), () => t);
    const a = gate();
    const b = gate();
    const runA = clock.run(() => a.promise);
    const runB = clock.run(() => b.promise);
    await Promise.resolve();
    t = 100;
    a.finish();
    await runA;
    t = 150;
    b.finish();
    await runB;
    expect(clock.busyMs()).toBe(150);
    t = 400; // idle: not counted
    const c = gate();
    const runC = clock.run(() => c.promise);
    await Promise.resolve();
    t = 450;
    expect(clock.busyMs()).toBe(200); // still running: counted up to now
    c.finish();
    await runC;
    expect(clock.busyMs()).toBe(200);
  });

  it("passes results and errors through and keeps counting after a failure", async () => {
    let t = 0;
    const clock = busyClock(limiter(1), () => t);
    await expect(clock.run(async () => 7)).resolves.toBe(7);
    await expect(
      clock.run(async () => {
        t += 30;
        throw new Error("render failed");
      }),
    ).rejects.toThrow("render failed");
    expect(clock.busyMs()).toBe(30);
  });

  it("runs no more tasks at once than its limit", async () => {
    let running = 0;
    let most = 0;
    const clock = busyClock(limiter(2));
    await Promise.all(
      Array.from({ length: 6 }, () =>
        clock.run(async () => {
          most = Math.max(most, ++running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    expect(most).toBe(2);
  });
});
