/**
 * Markdown for a pull-request comment or a job summary: verdict, summary table, failures by control in
 * <details>, each at the line to change with its units (a finding repeated in several units once).
 */
import { SEVERITIES } from "../types.js";
import { VERDICT } from "../gate/summary.js";
import { gateState, type GateState } from "../gate/threshold.js";
import { byControl, groupRepeated, unitsLabel, type FindingGroup } from "./group.js";
import { disabledByConfig } from "./config.js";
import { distinctValues, errorLocation, findingLocation, resourceName, valuesLocation } from "./location.js";
import { notAuditedReason, summarizeNotAudited } from "./not-audited.js";
import { cleanReport, guardWorkflowCommands, markdownText } from "./sanitize.js";
import type { Reporter } from "./types.js";

/** GitHub rejects comments over 65,536 characters; keep a margin for the truncation note. */
export const MAX_MARKDOWN_CHARS = 60_000;

/** Our own text (catalog titles, remediation) inside a table cell or HTML block: no tags, no pipes, no line breaks. */
const md = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ");
/** Input data (names, paths, messages, waiver fields) as literal text. */
const data = markdownText;
const code = (s: string) => `<code>${data(s)}</code>`;

const ICON: Record<0 | 1 | 2, string> = { 0: "✅", 1: "❌", 2: "⚠️" };
const STATE_LABEL: Record<GateState, string> = {
  failing: "failing",
  belowThreshold: "below threshold",
  existing: "in baseline",
  waived: "waived",
  error: "evaluation error",
};

export const markdown: Reporter = (input) => {
  const report = cleanReport(input);
  const s = report.summary;
  const out: string[] = [
    `## ${ICON[s.exitCode]} erlmcp-audit: ${VERDICT[s.exitCode]}`,
    "",
    `${s.units} input sets, ${s.resources} resources, ${s.controls} controls ran${s.disabledControls ? ` (${s.disabledControls} disabled by config)` : ""}; failing on **${report.failOn}** and above.`,
    "",
    report.configFiles.length
      ? `Config files: ${report.configFiles.map((f) => `${code(f.path)} (${f.role}, SHA-256 ${code(f.sha256)})`).join(", ")}`
      : "Config files: none (defaults, no waivers)",
    "",
    "| Severity | Failing | Waived |",
    "| --- | ---: | ---: |",
    ...SEVERITIES.map((sev) => {
      const list = report.findings.filter((f) => f.severity === sev);
      return `| ${sev} | ${list.filter((f) => f.status === "fail").length} | ${list.filter((f) => f.status === "waived").length} |`;
    }),
    "",
    [
      `Input errors: **${s.inputErrors}**`,
      `evaluation errors: **${s.errors}**`,
      `expired waivers: **${s.expiredWaivers}**`,
      `not audited: **${report.notAudited.length}**`,
      ...(s.baseline ? [`baseline: **${s.baseline.new}** new, ${s.baseline.existing} existing, ${s.baseline.fixed} fixed`] : []),
    ].join(" · "),
    "",
  ];

  if (report.inputErrors.length) {
    out.push("### Input errors", "");
    for (const e of report.inputErrors)
      out.push(`- ${code(errorLocation(e))} ${data(e.message)}${e.hint ? ` — ${data(e.hint)}` : ""} (${e.code})`);
    out.push("");
  }

  const groups = byControl(
    groupRepeated(report.findings.filter((f) => f.status !== "waived")).map((g) => ({ ...g, controlId: g.first.controlId })),
  );
  if (groups.size) out.push("### Findings", "");
  for (const control of report.controls) {
    const list = groups.get(control.id);
    if (!list) continue;
    const states = list.map((g) => gateState(g.first, report.failOn));
    const failing = states.filter((x) => x === "failing" || x === "error").length;
    out.push(
      "<details>",
      `<summary>${failing ? "❌" : "ℹ️"} <b>${md(control.id)}</b> (${list[0]!.first.severity}) ${md(control.title)} — ${summarizeStates(states)}</summary>`,
      "",
      ...list.map((g, i) => `${findingItem(g)}${states[i] === "failing" ? "" : ` _(${STATE_LABEL[states[i]!]})_`}`),
      "",
      `**Fix:** ${md(control.remediation)}`,
      "",
      "</details>",
      "",
    );
  }

  const waived = report.findings.filter((f) => f.status === "waived");
  const notes = [
    ...report.waivers
      .filter((w) => w.state === "expired")
      .map((w) => `- ❌ waiver ${code(w.id)} (${data(w.control)}) expired on ${data(w.expires)}: renew or remove it (${code(w.file)})`),
    ...report.waivers
      .filter((w) => w.state === "expiring")
      .map((w) => `- ⚠️ waiver ${code(w.id)} (${data(w.control)}) expires in ${w.daysLeft} days (${data(w.expires)})`),
    ...report.waivers
      .filter((w) => w.matched === 0)
      .map(
        (w) => `- ⚠️ waiver ${code(w.id)} (${data(w.control)}) matched nothing: ${data(w.unused?.advice ?? "remove it")} (${code(w.file)})`,
      ),
  ];
  if (waived.length || notes.length) {
    out.push("<details>", `<summary>Waivers: ${waived.length} findings waived, ${notes.length} notes</summary>`, "", ...notes);
    for (const { first: f, units } of groupRepeated(waived))
      out.push(
        `- ${code(findingLocation(f))} ${data(f.controlId)} ${data(resourceName(f.resource))} ${unitsNote(units)}: waived by ${code(f.waiver?.id ?? "")} (${data(f.waiver?.ticket ?? "")})`,
      );
    out.push("", "</details>", "");
  }
  if (report.baseline?.fixed.length) {
    out.push("<details>", `<summary>Fixed since the baseline: ${report.baseline.fixed.length}</summary>`, "");
    for (const e of report.baseline.fixed)
      out.push(`- ${data(e.controlId)} ${data(resourceName(e))} [${data(e.unit)}] ${data(e.messageId)}`);
    out.push("", "</details>", "");
  }
  if (report.disabledControls.length) {
    out.push("<details>", `<summary>Disabled by config: ${report.summary.disabledControls} controls</summary>`, "");
    for (const d of report.disabledControls)
      out.push(
        `- ${code(d.controlId)} ${data(disabledByConfig(d))}${d.profile ? ` for profile ${data(d.profile)}` : ""}: did not run in ${d.units.length} input sets`,
      );
    out.push("", "</details>", "");
  }
  if (report.notAudited.length) {
    out.push("<details>", `<summary>Not audited: ${summarizeNotAudited(report.notAudited)}</summary>`, "");
    for (const e of report.notAudited) out.push(`- ${code(e.path)}: ${data(notAuditedReason(e))}`);
    out.push("", "</details>", "");
  }
  if (report.notices?.length) {
    out.push("<details>", `<summary>Notices: ${report.notices.length}</summary>`, "");
    for (const n of report.notices) out.push(`- ${code(n.file)}: ${data(n.message)} (${n.code})`);
    out.push("", "</details>", "");
  }
  const unevaluated = report.units.filter((u) => u.unevaluatedKinds.length);
  if (unevaluated.length) {
    out.push("<details>", "<summary>Not evaluated: kinds no control inspects</summary>", "");
    for (const u of unevaluated) out.push(`- ${code(u.id)}: ${u.unevaluatedKinds.map(data).join(", ")}`);
    out.push("", "</details>", "");
  }
  return truncate(guardWorkflowCommands(out.join("\n")));
};

function summarizeStates(states: GateState[]): string {
  const counts = new Map<GateState, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${STATE_LABEL[s]}`).join(", ");
}

/** `[unit]` or `[2 units: a, b]`. */
const unitsNote = (units: readonly string[]) => `[${data(unitsLabel(units))}]`;

/** `- file:line:col Kind ns/name [units]: message — field path (values file: key)`. */
function findingItem(g: FindingGroup): string {
  const f = g.first;
  const values = distinctValues(g.members).map(valuesLocation);
  const field = [f.path ? `field ${code(f.path)}` : "", values.length ? `values ${values.map(code).join(", ")}` : ""]
    .filter(Boolean)
    .join(", ");
  return `- ${code(findingLocation(f))} ${data(resourceName(f.resource))} ${unitsNote(g.units)}: ${data(f.message)}${field ? ` — ${field}` : ""}`;
}

function truncate(body: string): string {
  if (body.length <= MAX_MARKDOWN_CHARS) return body;
  const cut = body.lastIndexOf("\n", MAX_MARKDOWN_CHARS);
  const head = body.slice(0, cut);
  // Close a <details> left open by the cut.
  const open = (head.match(/<details>/g) ?? []).length - (head.match(/<\/details>/g) ?? []).length;
  return `${head}\n${open > 0 ? "\n</details>\n" : ""}\n_Truncated: the full report is in the SARIF / JSON output of this run._\n`;
}
