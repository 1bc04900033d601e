/**
 * Writes the evidence package of the reference deployment (manifests/, production profile) into reports/.
 * Fixed audit date and no Git commit, so the package is byte-identical on every machine and commit.
 * `--check` fails when reports/ differs from what the current code and manifests produce.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { audit } from "../src/audit.js";
import { renderEvidencePackage, writeEvidencePackage } from "../src/evidence/index.js";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = join(ROOT, "reports");
/** 2026-01-01T00:00:00Z: the audit date of the committed reports (waiver expiry is judged against it). */
export const REPORTS_SOURCE_DATE_EPOCH = 1767225600;

process.chdir(ROOT);
const report = await audit(["manifests"], { now: new Date(REPORTS_SOURCE_DATE_EPOCH * 1000), profile: "production" });
const { files } = renderEvidencePackage(report, { paths: ["manifests"] });

if (process.argv.includes("--check")) {
  const present = existsSync(OUT) ? readdirSync(OUT).sort() : [];
  const drifted = [
    ...Object.keys(files).filter((f) => !existsSync(join(OUT, f)) || readFileSync(join(OUT, f), "utf8") !== files[f]),
    ...present.filter((f) => !(f in files)),
  ];
  if (drifted.length) {
    console.error(`reports/ is out of date (${drifted.join(", ")}): run \`npx tsx scripts/generate-reports.ts\` and commit the result.`);
    process.exit(1);
  }
  console.log(`reports/ is up to date (${Object.keys(files).length} files).`);
} else {
  writeEvidencePackage(OUT, files);
  console.log(`Wrote ${Object.keys(files).length} files to reports/ (exit code of the audit: ${report.summary.exitCode}).`);
}
if (report.summary.exitCode !== 0) process.exitCode = 1;
