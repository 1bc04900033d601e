/**
 * The report a person reads in a terminal: findings by severity (critical first), then by file, each
 * at the line to change (a finding repeated in several units once, naming them), with the fix of each
 * control once per file; notes a user must see; a short summary table and the verdict.
 * Input data is shown escaped (see sanitize.ts).
 */
import pc from "picocolors";
import type { AuditReport } from "../report/types.js";
import { SEVERITIES, type Severity } from "../types.js";
import { gateState } from "../gate/threshold.js";
import { configFilesLine, disabledByConfig } from "./config.js";
import { groupRepeated, unitsLabel, type FindingGroup } from "./group.js";
import { errorLocation, fieldNote, findingLocation, findingPosition, resourceName } from "./location.js";
import { cleanReport, guardWorkflowCommands } from "./sanitize.js";
import { summarizeNotAudited } from "./not-audited.js";
import type { Reporter } from "./types.js";

type Colors = ReturnType<typeof pc.createColors>;

const SEVERITY_LABEL: Record<Severity, string> = { critical: "CRITICAL", high: "HIGH", medium: "MEDIUM", low: "LOW" };

/** Findings by severity, then file, line and column. */
function byPlace(a: FindingGroup, b: FindingGroup): number {
  const p = findingPosition(a.first);
  const q = findingPosition(b.first);
  return (
    SEVERITIES.indexOf(a.first.severity) - SEVERITIES.indexOf(b.first.severity) ||
    p.file.localeCompare(q.file) ||
    p.line - q.line ||
    (p.column ?? 0) - (q.column ?? 0) ||
    a.first.controlId.localeCompare(b.first.controlId)
  );
}

/** `3 findings`, or `8 findings at 2 locations` when some repeat in several units. */
function countLabel(groups: readonly FindingGroup[]): string {
  const n = groups.reduce((sum, g) => sum + g.members.length, 0);
  const findings = `${n} ${n === 1 ? "finding" : "findings"}`;
  return n === groups.length ? findings : `${findings} at ${groups.length} ${groups.length === 1 ? "location" : "locations"}`;
}

/** The text report; `options.color` for ANSI colours, `options.verbose` for the lines most readers do not need. */
export const text: Reporter = (input, options = {}) => {
  const report = cleanReport(input);
  const verbose = options.verbose ?? false;
  const c = pc.createColors(options.color ?? false);
  const sev = (s: Severity) => {
    const label = SEVERITY_LABEL[s];
    return s === "critical" || s === "high" ? c.red(label) : s === "medium" ? c.yellow(label) : c.cyan(label);
  };
  const remediation = new Map(report.controls.map((control) => [control.id, control.remediation]));
  const lines: string[] = [c.bold(`erlmcp-audit ${report.tool.version}`)];
  if (verbose) {
    for (const unit of report.units)
      lines.push(c.dim(`  ${unit.id} [${unit.kind}, profile ${unit.profile}]: ${unit.resources.length} resources`));
  }
  lines.push("");

  if (report.inputErrors.length) {
    lines.push(c.bold(c.red(`Input errors (${report.inputErrors.length})`)));
    for (const e of report.inputErrors)
      lines.push(`  ${c.red("✖")} ${errorLocation(e)}: ${e.message}${e.hint ? c.dim(` (${e.hint})`) : ""} ${c.dim(`[${e.code}]`)}`);
    lines.push("");
  }

  const groups = groupRepeated(report.findings.filter((f) => f.status !== "waived")).sort(byPlace);
  for (const severity of SEVERITIES) {
    const list = groups.filter((g) => g.first.severity === severity);
    if (!list.length) continue;
    lines.push(c.bold(`${sev(severity)}: ${countLabel(list)}`));
    // The fix of a control once per file: the first finding of the control in the file carries it.
    const fixed = new Set<string>();
    list.forEach((g, i) => {
      const f = g.first;
      const file = findingPosition(f).file;
      if (i > 0 && findingPosition(list[i - 1]!.first).file !== file) lines.push("");
      const state = gateState(f, report.failOn);
      const note = {
        failing: "",
        belowThreshold: c.dim(` (below --fail-on ${report.failOn})`),
        existing: c.dim(" (in baseline)"),
        waived: "",
        error: c.magenta(" (evaluation error)"),
      }[state];
      const field = fieldNote(f, g.members);
      lines.push(`  ${findingLocation(f)}  ${sev(f.severity)}  ${c.bold(f.controlId)}  ${f.message}${note}`);
      lines.push(c.dim(`      ${[resourceName(f.resource), field, unitsLabel(g.units)].filter(Boolean).join(" · ")}`));
      if (state !== "error" && !fixed.has(`${file}\u0000${f.controlId}`))
        lines.push(`      ${c.green("fix:")} ${remediation.get(f.controlId) ?? ""}`);
      fixed.add(`${file}\u0000${f.controlId}`);
    });
    lines.push("");
  }

  const waived = groupRepeated(report.findings.filter((f) => f.status === "waived")).sort(byPlace);
  if (waived.length) {
    lines.push(c.bold(`Waived: ${countLabel(waived)}`));
    for (const g of waived) {
      const f = g.first;
      const by = f.waiver ? `${f.waiver.id} (${f.waiver.ticket}, expires ${f.waiver.expires})` : "a waiver";
      lines.push(`  ${findingLocation(f)}  ${sev(f.severity)}  ${f.controlId}  ${resourceName(f.resource)}: waived by ${by}`);
      lines.push(c.dim(`      ${unitsLabel(g.units)}`));
    }
    lines.push("");
  }

  const notes = [...waiverNotes(report, c), ...otherNotes(report, c, verbose)];
  if (notes.length) lines.push(...notes, "");
  lines.push(...summaryTable(report, c));
  return guardWorkflowCommands(lines.join("\n") + "\n");
};

/** Expired, expiring and unused waivers. */
function waiverNotes(report: AuditReport, c: Colors): string[] {
  const lines: string[] = [];
  for (const w of report.waivers) {
    if (w.state === "expired")
      lines.push(`${c.red("✖")} waiver ${w.id} (${w.control}) expired on ${w.expires}: renew or remove it (${w.file})`);
    else if (w.state === "expiring")
      lines.push(`${c.yellow("!")} waiver ${w.id} (${w.control}) expires in ${w.daysLeft} days (${w.expires})`);
    if (w.matched === 0)
      lines.push(`${c.yellow("!")} waiver ${w.id} (${w.control}) matched nothing: ${w.unused?.advice ?? "remove it"} (${w.file})`);
  }
  return lines;
}

/** Baseline, disabled controls, engine disagreements, notices and paths not audited; the kind lists and engine agreement with `verbose`. */
function otherNotes(report: AuditReport, c: Colors, verbose: boolean): string[] {
  const lines: string[] = [];
  for (const e of report.baseline?.fixed ?? [])
    lines.push(`${c.green("✔")} fixed since the baseline: ${e.controlId} ${resourceName(e)} ${e.messageId}${c.dim(` [${e.unit}]`)}`);
  for (const d of report.disabledControls)
    lines.push(
      `${c.yellow("-")} ${d.controlId} ${disabledByConfig(d)}${d.profile ? ` for profile ${d.profile}` : ""}: did not run in ${d.units.length} input sets`,
    );
  if (verbose) lines.push(...engineAgreement(report, c));
  for (const d of report.disagreements)
    lines.push(
      `${c.magenta("!")} engines disagree on ${d.controlId} ${resourceName(d.resource)} ${d.messageId}: reported by ${d.reportedBy.join(", ")}, not by ${d.missedBy.join(", ")}`,
    );
  for (const n of report.notices ?? []) lines.push(`${c.yellow("i")} ${n.file}: ${n.message} ${c.dim(`[${n.code}]`)}`);
  if (report.notAudited.length) lines.push(`${c.yellow("i")} ${summarizeNotAudited(report.notAudited)}: see --format json`);
  const unevaluated = [...new Set(report.units.flatMap((u) => u.unevaluatedKinds))].sort();
  const unvalidated = [...new Set(report.units.flatMap((u) => u.unvalidatedKinds))].sort();
  if (verbose) {
    if (unevaluated.length) lines.push(c.dim(`i not evaluated (no control inspects these kinds): ${unevaluated.join(", ")}`));
    if (unvalidated.length) lines.push(c.dim(`i not type-checked (no schema known for these kinds): ${unvalidated.join(", ")}`));
  } else {
    const counted = [
      unevaluated.length ? `${unevaluated.length} ${unevaluated.length === 1 ? "kind" : "kinds"} no control inspects` : "",
      unvalidated.length ? `${unvalidated.length} ${unvalidated.length === 1 ? "kind" : "kinds"} with no schema (not type-checked)` : "",
    ].filter(Boolean);
    if (counted.length) lines.push(c.dim(`i ${counted.join(", ")}: --verbose lists them`));
  }
  return lines;
}

/** Failing and waived findings per severity, what was audited, the config files, and the verdict. */
function summaryTable(report: AuditReport, c: Colors): string[] {
  const s = report.summary;
  const count = (severity: Severity, status: "fail" | "waived") =>
    report.findings.filter((f) => f.severity === severity && f.status === status).length;
  const rows = [
    ["severity", "failing", "waived"],
    ...SEVERITIES.map((severity) => [severity, String(count(severity, "fail")), String(count(severity, "waived"))]),
  ];
  const table = rows.map(([a, b, d], i) => {
    const row = `  ${a!.padEnd(10)}${b!.padStart(8)}${d!.padStart(8)}`;
    return i === 0 ? c.dim(row) : row;
  });
  const verdict = s.exitCode === 0 ? c.green("PASS") : s.exitCode === 1 ? c.red("FAIL") : c.red("ERROR");
  const bySeverity = SEVERITIES.map((k) => `${s.bySeverity[k]} ${k}`).join(", ");
  // With a baseline only new findings fail: "PASS 23 failing" would contradict itself.
  const failing = s.baseline
    ? `${s.baseline.new} new failing, ${s.baseline.existing} existing in the baseline (${bySeverity}), ${s.baseline.fixed} fixed`
    : `${s.failed} failing (${bySeverity})`;
  const counts = `${failing}, ${s.waived} waived, ${s.errors} evaluation errors, ${s.inputErrors} input errors`;
  return [
    c.bold("Summary"),
    ...table,
    `  audited: ${report.inputs.length} files, ${s.units} units, ${s.resources} resources; ${s.controls} controls ran${s.disabledControls ? ` (${s.disabledControls} disabled by config)` : ""}`,
    `  ${configFilesLine(report)}`,
    `${verdict} ${counts}${report.failOn !== "low" ? c.dim(` — failing on ${report.failOn} and above`) : ""}`,
  ];
}

/** Which engines judged each control and whether they agreed (with `verbose`); listed per control when more than two engines ran. */
function engineAgreement(report: AuditReport, c: Colors): string[] {
  if (report.tool.engines.length < 2) return [];
  const rows = report.controls
    .map((control) => {
      const engines = [...new Set(control.results.flatMap((r) => r.engines ?? []))].sort();
      const disagreements = report.disagreements.filter((d) => d.controlId === control.id).length;
      return { id: control.id, engines, disagreements };
    })
    .filter((r) => r.engines.length > 1);
  if (!rows.length) return [];
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
