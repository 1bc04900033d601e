/** The CLI run of the hostile tests: a temporary tree audited with some controls and engines, its JSON report read back. */
import { expect } from "vitest";
import type { Finding } from "../../src/types.js";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "./cli.js";
import { tempTree } from "./tmp.js";

/** Audits `files` (a temporary tree) with `controls` and `engines` (default Rego and TypeScript), without a config. */
export async function auditTree(
  files: Record<string, string>,
  controls: string | readonly string[],
  engines: readonly string[] = ["rego", "typescript"],
): Promise<{ code: number; report: AuditReport }> {
  const root = tempTree(files);
  const ids = typeof controls === "string" ? controls : controls.join(",");
  const run = await runCli([root, "--controls", ids, "--no-config", "--format", "json", ...engines.flatMap((e) => ["--engine", e])]);
  return { code: run.code, report: JSON.parse(run.stdout) as AuditReport };
}

/** The failing findings of a report, each as `label` writes it, sorted. */
export function failingFindings(report: AuditReport, label: (f: Finding) => string): string[] {
  return report.findings
    .filter((f) => f.status === "fail")
    .map(label)
    .sort();
}

/**
 * What a hostile run must show: every input read (no input error), the engines agreeing (no disagreement),
 * exactly the `expected` failing findings as `failing` lists them, and the exit code they give (1 when
 * there is one, else 0).
 */
export function expectVerdict(
  { code, report }: { code: number; report: AuditReport },
  failing: (report: AuditReport) => string[],
  expected: readonly string[],
): void {
  expect(report.inputErrors).toEqual([]);
  expect(report.disagreements).toEqual([]);
  expect(failing(report)).toEqual(expected);
  expect(code).toBe(expected.length ? 1 : 0);
}
