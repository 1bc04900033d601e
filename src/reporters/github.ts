/**
 * GitHub Actions workflow commands: an annotation per failing finding (at the line to change; a finding
 * repeated in several units once, naming them), input error and waiver notice.
 * Input data is cleaned first (no control characters, see sanitize.ts), then escaped per the runner's
 * rules: data escapes % CR LF; properties also escape : and , — so input can neither end a command
 * early nor start a second one.
 */
import type { Reporter } from "./types.js";
import { VERDICT } from "../gate/summary.js";
import { gateState } from "../gate/threshold.js";
import { disabledByConfig } from "./config.js";
import { groupRepeated } from "./group.js";
import { fieldNote, findingPosition, resourceName } from "./location.js";
import { cleanReport, guardWorkflowCommands } from "./sanitize.js";

/** Escapes a command's message per the runner's rules. */
export const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
/** Escapes a command property (file, title) per the runner's rules. */
export const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

type Level = "error" | "warning" | "notice";

function command(level: Level, props: { file?: string; line?: number; col?: number; title: string }, message: string): string {
  const parts = [
    // Properties too: `##[` anywhere in a line is a command to some runners.
    ...(props.file ? [`file=${escapeProperty(guardWorkflowCommands(props.file))}`] : []),
    ...(props.line ? [`line=${props.line}`] : []),
    ...(props.col ? [`col=${props.col}`] : []),
    `title=${escapeProperty(guardWorkflowCommands(props.title))}`,
  ];
  return `::${level} ${parts.join(",")}::${escapeData(guardWorkflowCommands(message))}`;
}

export const github: Reporter = (input) => {
  const report = cleanReport(input);
  const lines: string[] = [];
  for (const e of report.inputErrors)
    lines.push(
      command(
        "error",
        { file: e.file, line: e.line, col: e.column, title: `erlmcp-audit input error ${e.code}` },
        `${e.message}${e.hint ? ` (${e.hint})` : ""}`,
      ),
    );
  const remediation = new Map(report.controls.map((c) => [c.id, c.remediation]));
  for (const g of groupRepeated(report.findings)) {
    const f = g.first;
    const state = gateState(f, report.failOn);
    if (state === "waived") continue;
    const level: Level = state === "failing" || state === "error" ? "error" : state === "existing" ? "notice" : "warning";
    const note = state === "existing" ? " (in the baseline)" : state === "belowThreshold" ? ` (below --fail-on ${report.failOn})` : "";
    const at = findingPosition(f);
    const field = fieldNote(f, g.members);
    lines.push(
      command(
        level,
        { file: at.file, line: at.line, col: at.column, title: `${f.controlId} (${f.severity})${note}` },
        [
          `${resourceName(f.resource)}: ${f.message}`,
          ...(field ? [`Field: ${field}`] : []),
          g.units.length === 1 ? `Unit: ${f.unit}` : `Units (${g.units.length}): ${g.units.join(", ")}`,
          `Fix: ${remediation.get(f.controlId) ?? ""}`,
        ].join("\n"),
      ),
    );
  }
  for (const w of report.waivers) {
    if (w.state === "expired")
      lines.push(
        command(
          "error",
          { file: w.file, title: `waiver ${w.id} expired` },
          `Waiver ${w.id} (${w.control}) expired on ${w.expires}: renew or remove it.`,
        ),
      );
    else if (w.state === "expiring")
      lines.push(
        command(
          "warning",
          { file: w.file, title: `waiver ${w.id} expiring` },
          `Waiver ${w.id} (${w.control}) expires in ${w.daysLeft} days (${w.expires}).`,
        ),
      );
    if (w.matched === 0)
      lines.push(
        command(
          "warning",
          { file: w.file, title: `waiver ${w.id} unused` },
          `Waiver ${w.id} (${w.control}) matched nothing: ${w.unused?.advice ?? "remove it"}.`,
        ),
      );
  }
  for (const d of report.disabledControls)
    lines.push(
      command(
        "notice",
        { file: d.file, line: d.line, title: `${d.controlId} disabled by config` },
        `Control ${d.controlId} ${disabledByConfig(d)}${d.profile ? ` for profile ${d.profile}` : ""}: did not run in ${d.units.length} input sets.`,
      ),
    );
  const s = report.summary;
  lines.push(
    `erlmcp-audit ${VERDICT[s.exitCode]}: ${s.failed} failing, ${s.waived} waived, ${s.errors} evaluation errors, ${s.inputErrors} input errors${s.baseline ? `; baseline ${s.baseline.new} new, ${s.baseline.existing} existing, ${s.baseline.fixed} fixed` : ""}`,
  );
  return lines.join("\n") + "\n";
};
