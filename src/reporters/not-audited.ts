/** How every report format names the paths under the inputs that were not audited. */
import type { NotAuditedFile, NotAuditedReason } from "../types.js";

/** A short label per reason, in the order summaries list them. */
export const NOT_AUDITED_LABELS: Readonly<Record<NotAuditedReason, string>> = {
  excluded: "excluded",
  notManifest: "not a manifest",
  unreadable: "unreadable",
  defaultSkip: "version control or node_modules",
  runConfig: "config or waiver file",
  chartFile: "Helm chart file",
  kustomizeFile: "kustomization file",
};

/** The reason of one entry with its detail: `excluded (dist/)`. */
export function notAuditedReason(entry: NotAuditedFile): string {
  return `${NOT_AUDITED_LABELS[entry.reason]}${entry.detail ? ` (${entry.detail})` : ""}`;
}

/** `3 paths not audited (excluded: 2, not a manifest: 1)`; empty when every path was audited. */
export function summarizeNotAudited(list: readonly NotAuditedFile[]): string {
  if (!list.length) return "";
  const counts = (Object.keys(NOT_AUDITED_LABELS) as NotAuditedReason[])
    .map((reason) => [reason, list.filter((e) => e.reason === reason).length] as const)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${NOT_AUDITED_LABELS[reason]}: ${n}`);
  return `${list.length} ${list.length === 1 ? "path" : "paths"} not audited (${counts.join(", ")})`;
}
