/**
 * Large inputs, through the built CLI in a child process so its peak memory (maxRSS) is its own.
 * Measured here (Node 20, x64): a 100 MB file is refused unread at ~85 MB peak RSS; an 8 MiB file of
 * ConfigMaps parses at ~400 MB peak RSS in ~6 s; 10,000 small files run in ~10 s.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import type { AuditReport } from "../../src/report/types.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

const MiB = 1024 * 1024;

function writeConfigMaps(file: string, bytes: number): void {
  const fd = openSync(file, "w");
  try {
    let written = 0;
    for (let i = 0; written < bytes; i++) {
      const doc = `---\n${CONFIGMAP(`cm-${i}`)}  PAYLOAD: "${"x".repeat(800)}"\n`;
      written += writeSync(fd, doc);
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs the built CLI; returns its report, exit code, peak RSS (MB) and wall time (s). */
function runMeasured(args: string[]): { code: number | null; report: AuditReport; peakMb: number; seconds: number } {
  const script = `const { run } = await import(${JSON.stringify(join(PACKAGE_ROOT, "dist/cli/main.js"))});
await run(process.argv.slice(1));
process.on("exit", () => process.stderr.write("\\nmaxRSS=" + process.resourceUsage().maxRSS + "\\n"));`;
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, ...args], { encoding: "utf8", maxBuffer: 256 * MiB });
  const peakKb = Number(/maxRSS=(\d+)/.exec(r.stderr)?.[1]);
  expect(peakKb, r.stderr).toBeGreaterThan(0);
  return { code: r.status, report: JSON.parse(r.stdout) as AuditReport, peakMb: peakKb / 1024, seconds: (Date.now() - started) / 1000 };
}

const ARGS = ["--controls", "pod-no-host-access", "--no-config", "--format", "json", "--quiet"];

describe("large inputs stay bounded", () => {
  const root = tempTree({ "good/cm.yaml": CONFIGMAP("survivor") });

  it("a 100 MB file is refused unread (FILE_TOO_LARGE, exit 2) with bounded memory; the rest is audited", () => {
    mkdirSync(join(root, "huge"));
    writeConfigMaps(join(root, "huge/all.yaml"), 100 * MiB);
    const { code, report, peakMb } = runMeasured([join(root, "huge"), join(root, "good"), ...ARGS]);
    expect(code).toBe(2);
    expect(report.inputErrors.map((e) => [e.code, e.file.endsWith("huge/all.yaml"), e.hint])).toEqual([
      ["FILE_TOO_LARGE", true, "split it, or raise --max-file-size"],
    ]);
    expect(report.units.flatMap((u) => u.resources.map((r) => r.name))).toEqual(["survivor"]);
    expect(peakMb).toBeLessThan(200);
    if (process.env.ERLMCP_AUDIT_MEASURE) console.log(`100 MB refused: ${peakMb.toFixed(0)} MB peak RSS`);
  }, 60_000);

  it("an 8 MiB file under the limit parses within a measured memory bound", () => {
    mkdirSync(join(root, "medium"));
    writeConfigMaps(join(root, "medium/all.yaml"), 8 * MiB);
    const { code, report, peakMb } = runMeasured([join(root, "medium"), ...ARGS]);
    expect(code).toBe(0);
    expect(report.summary.resources).toBeGreaterThan(7000);
    expect(peakMb).toBeLessThan(800);
    if (process.env.ERLMCP_AUDIT_MEASURE) console.log(`8 MiB: ${peakMb.toFixed(0)} MB peak RSS`);
  }, 120_000);

  it("a directory of 10,000 files runs in bounded time and reports progress per file", async () => {
    const dir = join(root, "many");
    mkdirSync(dir);
    for (let i = 0; i < 10_000; i++) writeFileSync(join(dir, `cm-${String(i).padStart(5, "0")}.yaml`), CONFIGMAP(`cm-${i}`));
    const events: number[] = [];
    const started = Date.now();
    const report = await audit([dir], {
      config: false,
      controls: ["pod-no-host-access"],
      onProgress: (e) => {
        if (e.phase === "load" && e.total === 10_000) events.push(e.index);
      },
    });
    const seconds = (Date.now() - started) / 1000;
    expect(report.summary.exitCode).toBe(0);
    expect(report.summary.resources).toBe(10_000);
    expect(events.length).toBe(10_000);
    expect(events.at(-1)).toBe(9_999);
    expect(seconds).toBeLessThan(90);
    if (process.env.ERLMCP_AUDIT_MEASURE) console.log(`10,000 files: ${seconds} s`);
  }, 120_000);
});
