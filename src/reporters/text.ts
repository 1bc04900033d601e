import pc from "picocolors";
import type { AuditReport } from "../report/types.js";
import type { Finding, Severity } from "../types.js";
import { gateState } from "../gate/threshold.js";
import { configFilesLine, disabledByConfig } from "./config.js";
import { errorLocation, findingLocation, resourceName } from "./location.js";
import { cleanReport, guardWorkflowCommands } from "./sanitize.js";
import { summarizeNotAudited } from "./not-audited.js";
import type { Reporter } from "./types.js";

const SEVERITY_LABEL: Record<Severity, string> = { critical: "CRITICAL", high: "HIGH", medium: "MEDIUM", low: "LOW" };

/** A readable summary grouped by control, with file:line for every finding; input data is shown escaped (see sanitize.ts). */
export const text: Reporter = (input, options = {}) => {
  const report = cleanReport(input);
  const c = pc.createColors(options.color ?? false);
  const sev = (s: Severity) => {
    const label = SEVERITY_LABEL[s];
    return s === "critical" || s === "high" ? c.red(label) : s === "medium" ? c.yellow(label) : c.cyan(label);
  };
  const lines: string[] = [];
  const s = report.summary;
  lines.push(
    c.bold(`erlmcp-audit ${report.tool.version}`) +
      c.dim(
        ` — ${s.units} input sets, ${s.resources} resources, ${s.controls} controls ran${s.disabledControls ? ` (${s.disabledControls} disabled by config)` : ""}`,
      ),
  );
  for (const unit of report.units)
    lines.push(c.dim(`  ${unit.id} [${unit.kind}, profile ${unit.profile}]: ${unit.resources.length} resources`));
  lines.push(c.dim(`  ${configFilesLine(report)}`));
  lines.push("");

  if (report.inputErrors.length) {
    lines.push(c.bold(c.red(`Input errors (${report.inputErrors.length})`)));
    for (const e of report.inputErrors)
      lines.push(`  ${c.red("✖")} ${errorLocation(e)}: ${e.message}${e.hint ? c.dim(` (${e.hint})`) : ""} ${c.dim(`[${e.code}]`)}`);
    lines.push("");
  }

  const byControl = new Map<string, Finding[]>();
  for (const f of report.findings) byControl.set(f.controlId, [...(byControl.get(f.controlId) ?? []), f]);
  for (const control of report.controls) {
    const list = byControl.get(control.id);
    if (!list) continue;
    const failing = list.filter((f) => f.status === "fail").length;
    const waived = list.filter((f) => f.status === "waived").length;
    const header = [
      failing ? `${failing} failing` : "",
      waived ? `${waived} waived` : "",
      list.length - failing - waived ? `${list.length - failing - waived} errors` : "",
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(`${c.bold(control.id)} ${sev(list[0]!.severity)} ${control.title} ${c.dim(`(${header})`)}`);
    for (const f of list) {
      const state = gateState(f, report.failOn);
      const mark = {
        failing: c.red("✖"),
        belowThreshold: c.yellow("▲"),
        existing: c.dim("="),
        waived: c.yellow("~"),
        error: c.magenta("!"),
      }[state];
      const note =
        state === "existing" ? c.dim(" (in baseline)") : state === "belowThreshold" ? c.dim(` (below --fail-on ${report.failOn})`) : "";
      lines.push(
        `  ${mark} ${findingLocation(f)} ${resourceName(f.resource)}${report.units.length > 1 ? c.dim(` [${f.unit}]`) : ""}${note}`,
      );
      lines.push(`      ${f.message}`);
      if (f.status === "waived" && f.waiver)
        lines.push(c.dim(`      waived by ${f.waiver.id} (${f.waiver.ticket}, expires ${f.waiver.expires})`));
    }
    if (failing) lines.push(c.dim(`  fix: ${control.remediation}`));
    lines.push("");
  }

  for (const w of report.waivers) {
    if (w.state === "expired")
      lines.push(`${c.red("✖")} waiver ${w.id} (${w.control}) expired on ${w.expires}: renew or remove it (${w.file})`);
    else if (w.state === "expiring")
      lines.push(`${c.yellow("!")} waiver ${w.id} (${w.control}) expires in ${w.daysLeft} days (${w.expires})`);
    if (w.matched === 0) lines.push(`${c.yellow("!")} waiver ${w.id} (${w.control}) matched nothing: remove it (${w.file})`);
  }
  for (const e of report.baseline?.fixed ?? [])
    lines.push(`${c.green("✔")} fixed since the baseline: ${e.controlId} ${resourceName(e)} ${e.messageId}${c.dim(` [${e.unit}]`)}`);
  const unevaluated = [...new Set(report.units.flatMap((u) => u.unevaluatedKinds))].sort();
  if (unevaluated.length) lines.push(c.dim(`i not evaluated (no control inspects these kinds): ${unevaluated.join(", ")}`));
  const unvalidated = [...new Set(report.units.flatMap((u) => u.unvalidatedKinds))].sort();
  if (unvalidated.length) lines.push(c.dim(`i not type-checked (no schema known for these kinds): ${unvalidated.join(", ")}`));
  for (const d of report.disabledControls)
    lines.push(
      `${c.yellow("-")} ${d.controlId} ${disabledByConfig(d)}${d.profile ? ` for profile ${d.profile}` : ""}: did not run in ${d.units.length} input sets`,
    );
  lines.push(...engineAgreement(report, c));
  for (const d of report.disagreements) {
    lines.push(
      `${c.magenta("!")} engines disagree on ${d.controlId} ${resourceName(d.resource)} ${d.messageId}: reported by ${d.reportedBy.join(", ")}, not by ${d.missedBy.join(", ")}`,
    );
  }

  for (const n of report.notices ?? []) lines.push(`${c.yellow("i")} ${n.file}: ${n.message} ${c.dim(`[${n.code}]`)}`);
  if (report.notAudited.length) lines.push(`${c.yellow("i")} ${summarizeNotAudited(report.notAudited)}: see --format json`);

  const verdict = s.exitCode === 0 ? c.green("PASS") : s.exitCode === 1 ? c.red("FAIL") : c.red("ERROR");
  const bySeverity = (["critical", "high", "medium", "low"] as const).map((k) => `${s.bySeverity[k]} ${k}`).join(", ");
  // With a baseline only new findings fail: "PASS 23 failing" would contradict itself.
  const failing = s.baseline
    ? `${s.baseline.new} new failing, ${s.baseline.existing} existing in the baseline (${bySeverity}), ${s.baseline.fixed} fixed`
    : `${s.failed} failing (${bySeverity})`;
  const counts = `${failing}, ${s.waived} waived, ${s.errors} evaluation errors, ${s.inputErrors} input errors`;
  lines.push(`${verdict} ${counts}${report.failOn !== "low" ? c.dim(` — failing on ${report.failOn} and above`) : ""}`);
  return guardWorkflowCommands(lines.join("\n") + "\n");
};

/** Which engines judged each control and whether they agreed; listed per control when more than two engines ran. */
function engineAgreement(report: AuditReport, c: ReturnType<typeof pc.createColors>): string[] {
  if (report.tool.engines.length < 2) return [];
  const rows = report.controls
    .map((control) => {
      const engines = [...new Set(control.results.flatMap((r) => r.engines ?? []))].sort();
      const disagreements = report.disagreements.filter((d) => d.controlId === control.id).length;
      return { id: control.id, engines, disagreements };
    })
    .filter((r) => r.engines.length > 1);
  const agreeing = rows.filter((r) => r.disagreements === 0).length;
  const head = `${agreeing === rows.length ? c.green("✔") : c.magenta("!")} engines agree on ${agreeing} of ${rows.length} controls judged by more than one engine (${report.tool.engines.join(", ")})`;
  if (report.tool.engines.length <= 2) return [head];
  return [
    head,
    ...rows.map((r) =>
      r.disagreements
        ? `  ${c.magenta("!")} ${r.id}: ${r.engines.join(", ")} — ${r.disagreements} disagreements`
        : `  ${c.green("✔")} ${r.id}: ${r.engines.join(" = ")}`,
    ),
  ];
}
