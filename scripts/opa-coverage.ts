/** Runs `opa test --coverage` over policies/ and fails below the line-coverage threshold (argv[2], %). */
import { execFileSync } from "node:child_process";
import { findTool } from "../src/tools/find.js";

const threshold = Number(process.argv[2] ?? 90);
const opa = findTool("opa");
// control.yaml, capabilities.json and the bundle are not Rego data.
const IGNORE = ["--ignore", "*.yaml", "--ignore", "*.json", "--ignore", "dist"];
let raw: string;
try {
  raw = execFileSync(opa, ["test", ...IGNORE, "--coverage", "--format", "json", "policies"], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
} catch (error) {
  // opa exits non-zero when a test fails; show the failures in the usual format.
  execFileSync(opa, ["test", ...IGNORE, "policies"], { stdio: "inherit" });
  throw error;
}
const report = JSON.parse(raw) as { coverage: number; files: Record<string, { coverage: number }> };
const passed = execFileSync(opa, ["test", ...IGNORE, "policies"], { encoding: "utf8" })
  .trim()
  .split("\n")
  .pop();
const low = Object.entries(report.files)
  .filter(([file, f]) => !file.endsWith("_test.rego") && f.coverage < threshold)
  .map(([file, f]) => `${file}: ${f.coverage.toFixed(1)}%`);
console.log(`${passed}; policy coverage ${report.coverage.toFixed(1)}% (threshold ${threshold}%)`);
if (report.coverage < threshold) {
  console.error(`Rego coverage ${report.coverage.toFixed(1)}% is below ${threshold}%. Least covered:\n  ${low.join("\n  ")}`);
  process.exit(1);
}
if (low.length) console.log(`files below ${threshold}% (total still meets it):\n  ${low.join("\n  ")}`);
