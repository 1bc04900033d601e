/**
 * erlmcp-audit as a library: audit Kubernetes manifests (plain YAML, Helm charts, Kustomize overlays)
 * against the erlmcp-audit controls, render the report in any CLI format, gate on it, and build the
 * SOC 2 / ISO 27001 evidence package.
 *
 * ```ts
 * import { audit, renderReport } from "erlmcp-audit";
 *
 * const report = await audit(["manifests/"], { failOn: "high" });
 * process.stdout.write(renderReport(report, "text"));
 * for (const f of report.findings.filter((f) => f.status === "fail")) {
 *   console.log(`${f.source.file}:${f.source.line} ${f.controlId} ${f.message}`);
 * }
 * process.exitCode = report.summary.exitCode; // 0 pass, 1 failing findings, 2 input or evaluation errors
 * ```
 *
 * The report is plain JSON-serialisable data ({@link AuditReport}); its schema is documented in
 * docs/report-schema.md. Every failure a caller can handle has its own error class.
 * @packageDocumentation
 */
import type { AuditReport } from "./report/types.js";
import { REPORTERS, type FormatName } from "./reporters/index.js";

export { audit, type AuditOptions, type AuditTimings } from "./audit.js";
export { loadCatalog } from "./catalog/load.js";
export { selectControls } from "./catalog/select.js";
export type { Control, ControlSpec, FrameworkMapping, MappingBasis, Domain } from "./catalog/types.js";
export { loadConfig, findConfigFile, CONFIG_FILE_NAME } from "./config/load.js";
export type { AuditConfig, ControlOverride } from "./config/types.js";
export { PROFILES } from "./config/profiles.js";
export { findingKey, findingFingerprint, type FindingIdentity } from "./findings/identity.js";
export { meetsThreshold, gateState, type GateState } from "./gate/threshold.js";
export { createBaseline, readBaseline, serializeBaseline, type Baseline, type BaselineEntry } from "./baseline/baseline.js";
export { REPORTERS, FORMAT_NAMES, reportChunks, type FormatName } from "./reporters/index.js";
export type { Reporter, ReporterOptions } from "./reporters/types.js";
export type {
  AuditReport,
  ConfigFile,
  DisabledControl,
  ReportControl,
  ReportSummary,
  ReportUnit,
  Disagreement,
  ThirdPartyResult,
} from "./report/types.js";
export type { NetworkModel } from "./k8s/network-model.js";
export type { Waiver, WaiverStatus } from "./waivers/types.js";
export {
  createEvidencePackage,
  verifyEvidencePackage,
  type EvidencePackage,
  type EvidencePackageOptions,
  type VerifyResult,
} from "./evidence/package.js";
export { buildEvidence, type Evidence } from "./evidence/model.js";
export { auditCluster, readCluster, type ClusterAuditOptions, type ClusterAudit, type ClusterSnapshot } from "./cluster/audit.js";
export { compareWithRepository, type ClusterDrift } from "./cluster/compare.js";
export { UsageError } from "./errors.js";
export { CatalogError } from "./catalog/errors.js";
export { ConfigError } from "./config/load.js";
export { BaselineError } from "./baseline/baseline.js";
export { ToolNotFoundError, type ToolName } from "./tools/find.js";
export * from "./types.js";

/** Renders a report in one of the output formats (the same text the CLI prints for `--format`). */
export function renderReport(report: AuditReport, format: FormatName, options: { color?: boolean } = {}): string {
  return REPORTERS[format](report, options);
}
