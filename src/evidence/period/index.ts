/** `evidence period`: the period report of a verified ledger, rendered and written. */
import { refuseLinkedFolder } from "../../tools/write-output.js";
import type { KeyObject } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { sha256 } from "../../digest.js";
import { verifyLedger } from "../../ledger/verify.js";
import {
  renderAdmissionCsv,
  renderDeniedObjectsCsv,
  renderFailuresCsv,
  renderGapsCsv,
  renderRunsCsv,
  renderSampleCsv,
  renderWaiversCsv,
} from "./csv.js";
import { renderPeriodHtml } from "./html.js";
import { buildPeriod, type Period } from "./model.js";
import { renderPeriodAssessmentResults, renderPeriodPoam } from "./oscal.js";

export { buildPeriod, periodBound, type Period, type PeriodRun, type FailureEpisode } from "./model.js";
export { sampleSize, drawSample, SAMPLE_SIZE_RULE, SAMPLE_SIZE_TABLE } from "./sample.js";

/** The files of a period report besides manifest.json. */
export const PERIOD_FILES = [
  "admission-denials.csv",
  "admission-denied-objects.csv",
  "assessment-results.json",
  "failures.csv",
  "gaps.csv",
  "plan-of-action-and-milestones.json",
  "report.html",
  "runs.csv",
  "sample.csv",
  "waivers.csv",
] as const;

/** What `evidence period` is asked for. */
export interface PeriodOptions {
  from: string;
  to: string;
  /** Ed25519 public key every record must be signed with; without it the report says signatures were not checked. */
  publicKey?: string | KeyObject;
  seed?: string;
  sampleSize?: number;
}

/** Renders every file of the period report; manifest.json lists each file's SHA-256. */
export function renderPeriodReport(period: Period): Record<string, string> {
  const files: Record<string, string> = {
    "admission-denials.csv": renderAdmissionCsv(period),
    "admission-denied-objects.csv": renderDeniedObjectsCsv(period),
    "assessment-results.json": renderPeriodAssessmentResults(period),
    "failures.csv": renderFailuresCsv(period),
    "gaps.csv": renderGapsCsv(period),
    "plan-of-action-and-milestones.json": renderPeriodPoam(period),
    "report.html": renderPeriodHtml(period),
    "runs.csv": renderRunsCsv(period),
    "sample.csv": renderSampleCsv(period),
    "waivers.csv": renderWaiversCsv(period),
  };
  const manifest = {
    schemaVersion: "1.0.0",
    period: { start: period.start, end: period.end },
    ledgerHead: period.ledger.head ?? null,
    sampleSeed: period.sample.seed,
    algorithm: "SHA-256",
    files: Object.entries(files).map(([path, content]) => ({ path, sha256: sha256(content), bytes: Buffer.byteLength(content) })),
  };
  return { ...files, "manifest.json": JSON.stringify(manifest, null, 2) + "\n" };
}

/** Verifies the ledger (refusing a broken one, naming every problem) and builds the period. */
export function periodOfLedger(ledgerDir: string, options: PeriodOptions): Period {
  const check = verifyLedger(ledgerDir, options.publicKey === undefined ? {} : { publicKey: options.publicKey });
  if (!check.ok) throw new UsageError(`${ledgerDir}: the ledger does not verify; no period report from it:\n${check.errors.join("\n")}`);
  return buildPeriod(check.records, {
    from: options.from,
    to: options.to,
    seed: options.seed,
    sampleSize: options.sampleSize,
    ledger: {
      records: check.records.length,
      ...(check.head ? { head: check.head } : {}),
      signatures: check.signatures,
      ...(check.checkedKeySha256 ? { checkedKeySha256: check.checkedKeySha256 } : {}),
    },
  });
}

/** Writes the files into outDir: refuses a folder that is a symbolic link or holds files of its own. */
export function writePeriodReport(outDir: string, files: Record<string, string>): void {
  refuseLinkedFolder(outDir, "--out");
  mkdirSync(outDir, { recursive: true });
  if (lstatSync(outDir).isSymbolicLink()) throw new UsageError(`--out ${outDir} is a symbolic link: refusing to write through it.`);
  const foreign = readdirSync(outDir, { withFileTypes: true }).filter((e) => !(e.name in files) || !e.isFile());
  if (foreign.length)
    throw new UsageError(
      `${outDir} holds files that are not part of a period report (${foreign.map((e) => e.name).join(", ")}): choose an empty folder.`,
    );
  for (const [name, content] of Object.entries(files)) writeFileSync(join(outDir, name), content);
}

/** Verifies the ledger, builds the period and writes the report into outDir. */
export function createPeriodReport(
  ledgerDir: string,
  outDir: string,
  options: PeriodOptions,
): { period: Period; files: Record<string, string> } {
  const period = periodOfLedger(ledgerDir, options);
  const files = renderPeriodReport(period);
  writePeriodReport(outDir, files);
  return { period, files };
}
