/** The sections of report.html with the audit's results: control matrices, controls, failures and the waiver register. */
import { CHART_ORDER } from "./html-charts.js";
import { badge, code, esc, ident, resourceLabel, STATUS, table } from "./html-elements.js";
import { disabledByConfig } from "../reporters/config.js";
import type { Evidence, EvidenceFramework } from "./model.js";

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

/** Failing findings, waived findings, and input errors when there are any. */
export function findingsSection(e: Evidence): string {
  const failures = e.findings.filter((f) => f.status !== "waived");
  const waived = e.findings.filter((f) => f.status === "waived");
  return `<section id="findings"><h2>Failures</h2>
${table(
  ["Control", "Severity", "Resource", "Location", "Finding", "Remediation"],
  failures.map((f) => [
    ident(f.controlId),
    esc(f.severity),
    `${esc(resourceLabel(f.resource))}<br><span class="muted">${esc(f.unit)}</span>`,
    code(f.location),
    `${badge(f.status)} ${esc(f.message)}`,
    esc(f.remediation),
  ]),
)}
<h3>Waived findings</h3>
${table(
  ["Control", "Resource", "Location", "Finding", "Waiver"],
  waived.map((f) => [
    ident(f.controlId),
    `${esc(resourceLabel(f.resource))}<br><span class="muted">${esc(f.unit)}</span>`,
    code(f.location),
    esc(f.message),
    ident(f.waiver ?? ""),
  ]),
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
