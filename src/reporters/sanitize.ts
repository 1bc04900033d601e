/**
 * Neutralising input data for human-readable output. Resource names, messages, paths, unit IDs and
 * waiver fields come from the files audited; printed raw they could recolour or rewrite a terminal,
 * hide text behind a bidi override, or smuggle a CI workflow command into the log.
 */
import type { AuditReport } from "../report/types.js";

// C0 and C1 controls (ESC, CR, LF, the one-byte CSI), DEL, bidi marks, embeddings, overrides and
// isolates, line and paragraph separators, and the byte-order mark.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
// What JSON and XML carry unescaped, yet acts on a terminal or hides text: DEL, C1, bidi controls,
// line and paragraph separators, the byte-order mark.
const INVISIBLE = /[\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/g;
/** INVISIBLE without its global flag: a search that keeps no state (a report rarely holds one, and is megabytes long). */
const HOLDS_INVISIBLE = new RegExp(INVISIBLE.source);
const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).toUpperCase().padStart(width, "0");

const visible = (c: string) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);

/**
 * One line of plain text: every control character, terminal escape, bidi control and line break
 * is shown as an escape (`\x1B`, `\r`, `\u202E`), so nothing in it acts on a terminal or a log.
 */
export function cleanText(s: string): string {
  return s.replace(UNSAFE_CHARS, visible);
}

/** JSON text with the characters JSON.stringify leaves raw (DEL, C1, bidi controls) as `\u` escapes: the same value, inert to view. */
export function inertJson(json: string): string {
  return HOLDS_INVISIBLE.test(json) ? json.replace(INVISIBLE, (c) => `\\u${hex(c, 4)}`) : json;
}

/** XML text with DEL, C1 and bidi controls as numeric character references: the same value, inert to view. */
export function inertXml(xml: string): string {
  return xml.replace(INVISIBLE, (c) => `&#x${hex(c, 2)};`);
}

/** A copy of any value with {@link cleanText} applied to every string in it, object keys included. */
export function cleanDeep<T>(value: T): T {
  if (typeof value === "string") return cleanText(value) as T;
  if (Array.isArray(value)) return value.map(cleanDeep) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanDeep(v)])) as T;
  return value;
}

/** The report with every string cleaned: what a human-readable reporter renders, whatever field it reads. */
export function cleanReport(report: AuditReport): AuditReport {
  return cleanDeep(report);
}

// A workflow command is a line that starts with `::` after whitespace (GitHub Actions) or holds
// `##[`, `##vso[` or `##teamcity[` anywhere (GitHub's older syntax, Azure Pipelines, TeamCity).
// Our own colour codes may precede the `::`.
// eslint-disable-next-line no-control-regex
const LEADING_COMMAND = /^((?:[^\S\r\n]|\u001B\[[0-9;]*m)*):(?=:)/gm;
const INLINE_COMMAND = /#(?=#[a-z]*\[)/gi;

/**
 * Output text in which no line can be read as a CI workflow command: a leading `::` becomes
 * `\x3A:` and the `#` of `##[` becomes `\x23`. For formats that never emit commands themselves.
 */
export function guardWorkflowCommands(text: string): string {
  return text.replace(LEADING_COMMAND, "$1\\x3A").replace(INLINE_COMMAND, "\\x23");
}

// Markdown and HTML syntax, autolinks (`scheme://`, `www.`), `@` mentions and `#123` references.
const MARKDOWN_SPECIAL = /:\/\/|www\.|#(?=\d)|[&<>"'|`*_~[\]\\$@]/gi;

const NAMED_ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

function markdownEscape(m: string): string {
  if (m === "@" || m === "#") return `<code>${m}</code>`; // GitHub links neither inside code
  if (m === "://") return "&#58;//";
  if (m.length > 1) return `${m.slice(0, 3)}&#46;`; // www. in its own case
  if (m === "|") return "\\|"; // the one escape a table cell splitter honours
  return NAMED_ENTITY[m] ?? `&#${m.charCodeAt(0)};`;
}

/**
 * Input data as literal text in Markdown or HTML (a list item, a table cell, a `<summary>`): no link,
 * image, autolink, HTML, emphasis, code span, table pipe, `@` mention or `#123` reference survives.
 * Not for our own Markdown (remediation text keeps its code spans).
 */
export function markdownText(s: string): string {
  return cleanText(s).replace(MARKDOWN_SPECIAL, markdownEscape);
}
