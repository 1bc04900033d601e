/**
 * Runs a Rego probe module with the real opa over policies/lib (and any policy files) for a whole batch
 * of property-test cases in one process: `data.probe.results` of `input`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { findTool } from "../../src/tools/find.js";

/** `probe`: the lines of a module (by default `package probe` defining `results`); `policies`: paths under policies/. */
export function opaProbe<T>(probe: readonly string[], input: unknown, policies: readonly string[] = [], query = "data.probe.results"): T {
  const dir = mkdtempSync(join(tmpdir(), "opa-probe-"));
  try {
    writeFileSync(join(dir, "input.json"), JSON.stringify(input));
    writeFileSync(join(dir, "probe.rego"), probe.join("\n"));
    const data = [join(PACKAGE_ROOT, "policies/lib"), ...policies.map((p) => join(PACKAGE_ROOT, "policies", p)), join(dir, "probe.rego")];
    const out = execFileSync(
      findTool("opa"),
      ["eval", "--format", "json", ...data.flatMap((d) => ["-d", d]), "-i", join(dir, "input.json"), query],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    return JSON.parse(out).result[0].expressions[0].value as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
