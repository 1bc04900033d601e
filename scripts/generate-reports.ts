/**
 * Writes the evidence package of the reference deployment (manifests/, production profile) into reports/package/,
 * and the period report of the committed sample ledger (reports/ledger-sample/, see
 * scripts/generate-ledger-sample.ts) into reports/period/.
 * Fixed audit date and no Git commit, so the package is byte-identical on every machine and commit.
 * `--check` fails when reports/ differs from what the current code and manifests produce.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { audit } from "../src/audit.js";
import { MANIFEST_FILE, PACKAGE_FILES, renderEvidencePackage, SIGNATURE_FILE, writeEvidencePackage } from "../src/evidence/index.js";
import { periodOfLedger, renderPeriodReport, writePeriodReport } from "../src/evidence/period/index.js";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = join(ROOT, "reports");
/** The package of manifests/ has a folder of its own: `verify` rejects any file a package does not list. */
const PACKAGE = join(OUT, "package");
/** 2026-01-01T00:00:00Z: the audit date of the committed reports (waiver expiry is judged against it). */
export const REPORTS_SOURCE_DATE_EPOCH = 1767225600;

process.chdir(ROOT);
const report = await audit(["manifests"], { now: new Date(REPORTS_SOURCE_DATE_EPOCH * 1000), profile: "production" });
const { files } = renderEvidencePackage(report, { paths: ["manifests"] });

/** The sample ledger and the folder of its period example, beside the package's files. */
const LEDGER_SAMPLE = join(OUT, "ledger-sample");
const PERIOD = join(OUT, "period");
/** The period of the example: the sample ledger's two weeks; its records are checked against the sample's public key. */
const periodFiles = renderPeriodReport(
  periodOfLedger(LEDGER_SAMPLE, {
    from: "2026-01-01",
    to: "2026-01-14",
    publicKey: readFileSync(join(LEDGER_SAMPLE, "signer.pub.pem"), "utf8"),
  }),
);

/** Names under dir whose content differs from files, or that files does not hold. */
function drift(dir: string, expected: Record<string, string>, ignore = new Set<string>()): string[] {
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => !ignore.has(f)) : [];
  return [
    ...Object.keys(expected).filter((f) => !existsSync(join(dir, f)) || readFileSync(join(dir, f), "utf8") !== expected[f]),
    ...present.filter((f) => !(f in expected)),
  ];
}

if (process.argv.includes("--check")) {
  const drifted = [
    ...drift(PACKAGE, files).map((f) => `package/${f}`),
    ...drift(PERIOD, periodFiles).map((f) => `period/${f}`),
    ...drift(OUT, {}, new Set(["package", "period", "ledger-sample"])),
  ];
  if (drifted.length) {
    console.error(`reports/ is out of date (${drifted.join(", ")}): run \`npx tsx scripts/generate-reports.ts\` and commit the result.`);
    process.exit(1);
  }
  console.log(
    `reports/ is up to date (${Object.keys(files).length} files in reports/package/, ${Object.keys(periodFiles).length} in reports/period/).`,
  );
} else {
  for (const name of [...PACKAGE_FILES, MANIFEST_FILE, SIGNATURE_FILE]) if (existsSync(join(OUT, name))) rmSync(join(OUT, name));
  writeEvidencePackage(PACKAGE, files);
  writePeriodReport(PERIOD, periodFiles);
  console.log(
    `Wrote ${Object.keys(files).length} files to reports/package/ and ${Object.keys(periodFiles).length} to reports/period/ (exit code of the audit: ${report.summary.exitCode}).`,
  );
}
if (report.summary.exitCode !== 0) process.exitCode = 1;
