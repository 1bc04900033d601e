/** The audit ledger: append a gate run or the webhook's decisions, verify the chain. */
import type { KeyObject } from "node:crypto";
import { UsageError } from "../errors.js";
import { admissionEntries } from "./admission-record.js";
import { runEntryFromPackage } from "./run-record.js";
import { appendRecord, readLedger, type Appended } from "./store.js";

export { parseInterval, admissionEntries } from "./admission-record.js";
export { runEntryFromPackage } from "./run-record.js";
export { appendRecord, listLedger, readLedger, recordFile, signatureFile, RECORDS_DIR, type Appended } from "./store.js";
export { sha256 } from "../digest.js";
export { verifyLedger, type LedgerVerifyResult } from "./verify.js";
export * from "./types.js";

/**
 * Appends the run of the evidence package in packageDir. `location` is where the package is archived
 * (default: the path given). Refuses a package the ledger already holds.
 */
export function appendRun(
  packageDir: string,
  ledgerDir: string,
  options: { signKey?: string | KeyObject; location?: string } = {},
): Appended {
  const { run, recordedAt } = runEntryFromPackage(packageDir, options.location ?? packageDir);
  const already = readLedger(ledgerDir).find(
    (r) => r.record.type === "run" && r.record.run.package.manifestSha256 === run.package.manifestSha256,
  );
  if (already)
    throw new UsageError(
      `${packageDir}: this package (evidence ${run.package.id}) is already record ${already.record.sequence} of the ledger.`,
    );
  return appendRecord(ledgerDir, { type: "run", run, recordedAt }, options);
}

/**
 * Appends one record per interval of the decision log, oldest first; an interval the ledger already
 * holds is skipped (append a log once its last interval has ended).
 */
export function appendAdmission(
  logText: string,
  ledgerDir: string,
  options: { intervalMs: number; signKey?: string | KeyObject; source?: string },
): { appended: Appended[]; skipped: string[] } {
  const held = new Set(
    readLedger(ledgerDir).flatMap((r) => (r.record.type === "admission" ? [`${r.record.admission.from}/${r.record.admission.to}`] : [])),
  );
  const appended: Appended[] = [];
  const skipped: string[] = [];
  for (const admission of admissionEntries(logText, options.intervalMs, options.source)) {
    const interval = `${admission.from}/${admission.to}`;
    if (held.has(interval)) skipped.push(interval);
    else appended.push(appendRecord(ledgerDir, { type: "admission", admission, recordedAt: admission.to }, options));
  }
  return { appended, skipped };
}
