/** The building blocks of report.html: escaping, status badges, tables and inline code. */
import type { CriterionStatus } from "./model.js";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
/** Escapes text for element content and quoted attribute values. Every manifest-derived string goes through it. */
export const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** Every status the report shows: of a criterion, a control, a finding or a waiver. */
export type Status = CriterionStatus | "disabled" | "pass" | "fail" | "waived" | "error" | "active" | "expiring" | "expired";
/** Symbol, label and tone (its colour class) of each status; the symbol tells them apart without colour. */
export const STATUS: Record<Status, { symbol: string; label: string; tone: string }> = {
  satisfied: { symbol: "✓", label: "Automated checks passed", tone: "ok" },
  "met-with-exceptions": { symbol: "✓⚑", label: "Checks passed with exceptions", tone: "ext" },
  "not-satisfied": { symbol: "✗", label: "Not satisfied", tone: "bad" },
  "not-applicable": { symbol: "–", label: "Not applicable", tone: "na" },
  "needs-external-evidence": { symbol: "◐", label: "Needs external evidence", tone: "ext" },
  disabled: { symbol: "⊘", label: "Disabled by config", tone: "ext" },
  pass: { symbol: "✓", label: "Pass", tone: "ok" },
  fail: { symbol: "✗", label: "Fail", tone: "bad" },
  waived: { symbol: "⚑", label: "Waived", tone: "ext" },
  error: { symbol: "!", label: "Error", tone: "bad" },
  active: { symbol: "✓", label: "Active", tone: "ok" },
  expiring: { symbol: "⚠", label: "Expiring", tone: "ext" },
  expired: { symbol: "✗", label: "Expired", tone: "bad" },
};
/** A status badge: symbol, label and tone. */
export const badge = (s: Status): string =>
  `<span class="badge ${STATUS[s].tone}"><span aria-hidden="true">${STATUS[s].symbol}</span> ${STATUS[s].label}</span>`;
/** A table with column headings; a table without rows says "None.". Cells are HTML. */
export const table = (head: string[], rows: string[][], cls = ""): string =>
  `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join("")}</tr></thead><tbody>${
    rows.length
      ? rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")
      : `<tr><td colspan="${head.length}" class="empty">None.</td></tr>`
  }</tbody></table>`;
/** Text as escaped inline code. */
export const code = (s: string): string => `<code>${esc(s)}</code>`;
/** Control and waiver IDs stay on one line. */
export const ident = (s: string): string => `<code class="id">${esc(s)}</code>`;
/** `Kind namespace/name`, or `Kind name` for a cluster-scoped resource. */
export const resourceLabel = (r: { kind: string; namespace: string; name: string }): string =>
  r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
