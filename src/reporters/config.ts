/** How every format names the run's configuration: the files it used and the controls it switched off. */
import type { AuditReport, DisabledControl } from "../report/types.js";

/** `disabled by config (file:line, reason)`: the one wording of a control the config switched off. */
export function disabledByConfig(d: Pick<DisabledControl, "file" | "line" | "reason">): string {
  return `disabled by config (${d.file}:${d.line}, ${d.reason})`;
}

/** `config files: a.yaml (config, sha256 …), w.yaml (waivers, sha256 …)`, or that there were none. */
export function configFilesLine(report: Pick<AuditReport, "configFiles">): string {
  if (!report.configFiles.length) return "config files: none (defaults, no waivers)";
  return `config files: ${report.configFiles.map((f) => `${f.path} (${f.role}, sha256 ${f.sha256})`).join(", ")}`;
}
