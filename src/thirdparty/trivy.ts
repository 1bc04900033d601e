/**
 * Runs `trivy config` offline (checks embedded in the binary) on every unit's resources and returns its
 * failed checks as third-party evidence (AuditReport.thirdParty). It gives no verdict on our controls:
 * the mapping to them (docs/trivy-mapping.md) is shown beside our findings, never merged into them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { AuditUnit } from "../types.js";
import { runTool } from "../tools/run.js";
import { findTool, TOOL_PINS } from "../tools/find.js";
import { normalizeCheckId, trivyMappings } from "../catalog/third-party.js";
import type { ThirdPartyResult, ThirdPartyScanner } from "./types.js";

interface TrivyReport {
  Results?: Array<{
    Target: string;
    Misconfigurations?: Array<{ ID: string; Title: string; Message: string; Severity: string; Status: string }>;
  }>;
}

export const TRIVY_ARGS = [
  "config",
  "--skip-check-update",
  "--skip-version-check",
  "--disable-telemetry",
  "--misconfig-scanners",
  "kubernetes",
  "-q",
  "-f",
  "json",
];

export class TrivyScanner implements ThirdPartyScanner {
  readonly name = "trivy" as const;
  private trivy: string | undefined;

  async prepare(): Promise<void> {
    this.trivy ??= findTool("trivy");
  }

  version(): string {
    return TOOL_PINS.trivy;
  }

  /** One trivy run over every unit: each resource is written to `<unit>/<resource>.yaml` so results map back exactly. */
  async scan(units: readonly AuditUnit[]): Promise<ThirdPartyResult[]> {
    this.trivy ??= findTool("trivy");
    const dir = mkdtempSync(join(tmpdir(), "erlmcp-audit-trivy-"));
    try {
      units.forEach((unit, u) => {
        mkdirSync(join(dir, `u${u}`));
        unit.resources.forEach((r, i) => writeFileSync(join(dir, `u${u}`, `r${i}.yaml`), stringify(r.object, { lineWidth: 0 })));
      });
      const { code, stdout, stderr } = await runTool(this.trivy, [...TRIVY_ARGS, dir]);
      if (code !== 0) throw new Error(`trivy config failed (exit ${code}): ${stderr.trim()}`);
      const results: ThirdPartyResult[] = [];
      for (const target of (JSON.parse(stdout) as TrivyReport).Results ?? []) {
        const m = /^u(\d+)\/r(\d+)\.yaml$/.exec(target.Target);
        const unit = m ? units[Number(m[1])] : undefined;
        const resource = unit?.resources[Number(m?.[2])];
        if (!unit || !resource) continue;
        for (const check of target.Misconfigurations ?? []) {
          if (check.Status !== "FAIL") continue;
          const checkId = normalizeCheckId(check.ID);
          const mappedControl = trivyMappings()[checkId]?.control;
          results.push({
            engine: "trivy",
            checkId,
            title: check.Title,
            severity: check.Severity.toLowerCase(),
            message: check.Message,
            unit: unit.id,
            resource: resource.ref,
            file: resource.source.file,
            line: resource.source.line,
            ...(mappedControl ? { mappedControl } : {}),
          });
        }
      }
      const key = (r: ThirdPartyResult) =>
        [
          r.unit,
          r.file,
          String(r.line).padStart(8, "0"),
          r.resource.kind,
          r.resource.namespace,
          r.resource.name,
          r.checkId,
          r.message,
        ].join("\u0000");
      return results.sort((a, b) => key(a).localeCompare(key(b)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
