/** The sections of report.html with the audit's results: control matrices, controls, failures and the waiver register. */
import { CHART_ORDER } from "./html-charts.js";
import { badge, code, esc, ident, resourceLabel, STATUS, table } from "./html-elements.js";
import { disabledByConfig } from "../reporters/config.js";
import { byControl, collapseRepeats } from "../reporters/group.js";
import { SEVERITIES } from "../types.js";
import { inlineCode } from "./html-text.js";
import type { Evidence, EvidenceFinding, EvidenceFramework } from "./model.js";

/** The control matrix of one framework: each criterion, its status, and the controls mapped to it. */
export function matrixSection(fw: EvidenceFramework): string {
  const rows = fw.criteria.map((c) => [
    `<strong>${esc(c.id)}</strong>`,
    esc(c.title),
    badge(c.status),
    c.basis.length ? esc(c.basis.join(" ")) : "–",
    c.controls.length
      ? `<ul class="plain">${c.controls
          .map(
            (m) =>
              `<li>${ident(m.id)} <span class="muted">${STATUS[m.status].symbol} ${esc(m.basis.join("/"))}</span> — ${esc(m.rationale)}</li>`,
          )
          .join("")}</ul>`
      : `<span class="muted">No control maps here.</span>`,
    c.external ? esc(c.external) : "–",
  ]);
  const counts = CHART_ORDER.map((s) => `${fw.counts[s]} ${STATUS[s].label.toLowerCase()}`).join(" · ");
  return `<section class="page" id="matrix-${esc(fw.id)}"><h2>Control matrix: ${esc(fw.name)}</h2>
<p class="lead">${esc(fw.criteria.length)} criteria: ${esc(counts)}. Mapping basis: K Kubescape, P Prowler, A AICPA→NIST 800-53, J our judgement. The mapping is management's assertion; the auditor judges it.</p>
${table(["Criterion", "Title (paraphrased)", "Status", "Basis", "Our controls — status, basis, rationale", "Evidence needed from outside the manifests"], rows, "matrix")}</section>`;
}

/** `disabled by config (file:line, reason)` for each override that kept the control from running somewhere. */
function disabledNotes(c: Evidence["controls"][number]): string {
  return (c.disabled ?? [])
    .map(
      (d) =>
        `<br><span class="muted">${esc(disabledByConfig(d))}${d.profile ? ` for profile ${esc(d.profile)}` : ""}: did not run in ${esc(d.units.length)} manifest sets</span>`,
    )
    .join("");
}

/** Every control with its counts and status; a control the config switched off says where and why. */
export function controlsSection(e: Evidence): string {
  return `<section class="page" id="controls"><h2>Controls</h2>
${table(
  ["Control", "Title", "Severity", "Evaluated", "Failed", "Waived", "Errors", "Status"],
  e.controls.map((c) => [
    ident(c.id),
    esc(c.title),
    esc(c.severity),
    esc(c.evaluated),
    esc(c.failed),
    esc(c.waived),
    esc(c.errors),
    `${badge(c.status)}${disabledNotes(c)}`,
  ]),
)}
</section>`;
}

/** A finding and the units it repeats in: one template rendered with several values files, one base in several overlays. */
type Repeated = ReturnType<typeof repeatedFindings>[number];

/** Findings that differ only by unit, collapsed into one row that lists the units. */
function repeatedFindings(findings: readonly EvidenceFinding[]) {
  const key = (f: EvidenceFinding) =>
    [f.controlId, f.status, f.severity, f.message, f.resource.kind, f.resource.namespace, f.resource.name, f.location, f.waiver ?? ""].join(
      "\u0000",
    );
  return collapseRepeats(findings, key, (f) => f.unit);
}

/** The resource, with the field to change under it when the finding names one. */
const resourceCell = (f: EvidenceFinding & { path?: string }) =>
  `${esc(resourceLabel(f.resource))}${f.path ? `<br><span class="muted">${code(f.path)}</span>` : ""}`;
const unitsCell = (g: Repeated) => `<ul class="plain">${g.units.map((u) => `<li>${code(u)}</li>`).join("")}</ul>`;

/** One control's failures: its remediation once, then a row per location with the units it was found in. */
function controlFailures(control: Evidence["controls"][number] | undefined, groups: Repeated[]): string {
  const first = groups[0]!.first;
  const findings = groups.reduce((n, g) => n + g.members.length, 0);
  return `<div class="control-failures">
<h3>${ident(first.controlId)} ${esc(control?.title ?? "")} <span class="muted">— ${esc(first.severity)}, ${esc(findings)} ${findings === 1 ? "finding" : "findings"}</span></h3>
<p class="fix"><strong>Remediation:</strong> ${inlineCode(first.remediation)}</p>
${table(
  ["Resource and field", "Location (line to change)", "Finding", "Units"],
  groups.map((g) => [
    resourceCell(g.first),
    code(g.first.location),
    `${badge(g.first.status)} ${inlineCode(g.first.message)}`,
    unitsCell(g),
  ]),
  "failures",
)}</div>`;
}

/** Failing findings by control (the remediation once per control), waived findings, and input errors when there are any. */
export function findingsSection(e: Evidence): string {
  const failures = byControl(
    repeatedFindings(e.findings.filter((f) => f.status !== "waived")).map((g) => ({ ...g, controlId: g.first.controlId })),
  );
  const waived = repeatedFindings(e.findings.filter((f) => f.status === "waived"));
  const controls = new Map(e.controls.map((c) => [c.id, c]));
  const order = [...failures.keys()].sort(
    (a, b) =>
      SEVERITIES.indexOf(failures.get(a)![0]!.first.severity) - SEVERITIES.indexOf(failures.get(b)![0]!.first.severity) ||
      a.localeCompare(b),
  );
  return `<section id="findings"><h2>Failures</h2>
${order.length ? order.map((id) => controlFailures(controls.get(id), failures.get(id)!)).join("\n") : `<p class="muted">No failing finding.</p>`}
<h3>Waived findings</h3>
${table(
  ["Control", "Resource and field", "Location", "Finding", "Units", "Waiver"],
  waived.map((g) => [
    ident(g.first.controlId),
    resourceCell(g.first),
    code(g.first.location),
    inlineCode(g.first.message),
    unitsCell(g),
    ident(g.first.waiver ?? ""),
  ]),
  "failures",
)}
${
  e.inputErrors.length
    ? `<h3>Input errors</h3>${table(
        ["File", "Code", "Message"],
        e.inputErrors.map((i) => [code(`${i.file}${i.line ? `:${i.line}` : ""}`), esc(i.code), esc(i.message)]),
      )}`
    : ""
}
</section>`;
}

/** Every waiver: owner, approver, ticket, expiry, state, matches and justification. */
export function waiversSection(e: Evidence): string {
  return `<section id="waivers"><h2>Waiver register</h2>
${table(
  ["Waiver", "Control", "Owner", "Approver", "Ticket", "Expires", "Status", "Matched", "Justification"],
  e.waivers.map((w) => [
    ident(w.id),
    ident(w.control),
    esc(w.owner),
    esc(w.approver),
    `<span class="nw">${esc(w.ticket)}</span>`,
    `<span class="nw">${esc(w.expires)}</span>`,
    badge(w.state),
    esc(w.matched),
    esc(w.justification),
  ]),
)}
</section>`;
}
