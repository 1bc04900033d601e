/**
 * erlmcp-audit: policy-as-code and compliance audit for Kubernetes manifests.
 * @packageDocumentation
 */
export { audit, auditDate, meetsThreshold, selectControls, UsageError, type AuditOptions } from "./audit.js";
export { loadCatalog, loadControl, renderMessage } from "./catalog/load.js";
export type { Control, ControlSpec, FrameworkMapping, MappingBasis, Domain } from "./catalog/types.js";
export { loadConfig, findConfigFile, ConfigError, CONFIG_FILE_NAME } from "./config/load.js";
export type { AuditConfig, ControlOverride } from "./config/types.js";
export { PROFILES, resolveParams, resolveSeverity } from "./config/profiles.js";
export { createEngine, ENGINE_FACTORIES, DEFAULT_ENGINES } from "./engines/index.js";
export type { Engine, ControlVerdict, EngineContext } from "./engines/types.js";
export { findTool, locateTool, engineCacheDir, TOOL_PINS, ToolNotFoundError, type ToolName } from "./tools/find.js";
export { loadInputs, type LoadOptions, type LoadResult, type LoadedUnit } from "./loaders/load.js";
export { parseManifestStream } from "./loaders/yaml.js";
export { REPORTERS, FORMAT_NAMES, type FormatName } from "./reporters/index.js";
export type { Reporter, ReporterOptions } from "./reporters/types.js";
export { labelSelectorMatches, mapSelectorMatches, type LabelSelector, type Labels } from "./k8s/selectors.js";
export { isErlangNode, podTemplate, allContainers } from "./k8s/workloads.js";
export type { AuditReport, ReportControl, ReportSummary, ReportUnit, Disagreement } from "./report.js";
export type { Waiver, WaiverStatus } from "./waivers/types.js";
export * from "./evidence/index.js";
export * from "./types.js";

import type { AuditReport } from "./report.js";
import { REPORTERS, type FormatName } from "./reporters/index.js";

/** Renders a report in one of the output formats. */
export function renderReport(report: AuditReport, format: FormatName, options: { color?: boolean } = {}): string {
  return REPORTERS[format](report, options);
}
