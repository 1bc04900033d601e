import { describe, expect, it } from "vitest";
import { createProgress } from "../../src/cli/progress.js";

describe("progress bar", () => {
  const run = (enabled: boolean, times: number[]) => {
    const out: string[] = [];
    let t = 0;
    const p = createProgress({ enabled, write: (s) => out.push(s), now: () => t, delayMs: 1000, intervalMs: 100, columns: 40 });
    times.forEach((at, i) => {
      t = at;
      p.update({ phase: "load", label: `file-${i}-with-a-long-name.yaml`, index: i, total: times.length });
    });
    p.done();
    return out;
  };

  it("stays silent for short runs and when disabled (CI, pipes, --quiet)", () => {
    expect(run(true, [0, 200, 900])).toEqual([]);
    expect(run(false, [0, 2000, 4000])).toEqual([]);
  });

  it("draws at most once per interval, always the last step, fits the terminal and clears its line", () => {
    const out = run(true, [1000, 1050, 1100, 1120, 1130]);
    expect(out.map((s) => s.replace("\r\x1b[K", "").split(" ").slice(0, 3).join(" "))).toEqual([
      "[####................] load 1/5",
      "[############........] load 3/5",
      "[####################] load 5/5",
      "",
    ]);
    expect(out.every((s) => s.replace("\r\x1b[K", "").length <= 39)).toBe(true);
  });
});
