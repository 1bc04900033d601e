/**
 * JUnit XML (the Ant/Surefire shape Jenkins and GitLab read): one testsuite per control, one testcase
 * per (control, unit, resource) evaluated; the same findings on one resource in several units (one
 * template, several values files) are one testcase naming the units. Gate failures are <failure>s; waived, baseline and
 * below-threshold findings are <skipped> with the reason; input errors and expired waivers get suites.
 */
import type { DisabledControl, ReportControl } from "../report/types.js";
import type { Finding, ResourceRef } from "../types.js";
import { resourceKey } from "../findings/identity.js";
import { gateState } from "../gate/threshold.js";
import { disabledByConfig } from "./config.js";
import { byControl, collapseRepeats, repeatKey } from "./group.js";
import { errorLocation, fieldNote, findingLocation, findingPosition, resourceName } from "./location.js";
import { inertXml } from "./sanitize.js";
import type { Reporter } from "./types.js";

// XML 1.0 forbids most C0 control characters even when escaped, and discourages DEL and C1 (0x9B is a
// one-byte terminal escape): all become U+FFFD. CR and bidi controls become character references.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;
const xml = (s: string) =>
  inertXml(
    s
      .replace(INVALID_XML, "\uFFFD")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
      .replace(/\r/g, "&#13;"),
  );

interface Case {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  outcome?: { tag: "failure" | "skipped" | "error"; message: string; type?: string; body?: string };
}

const refKey = (unit: string, r: Pick<ResourceRef, "kind" | "namespace" | "name">) => `${unit}\u0000${resourceKey(r)}`;

/** The findings of one control on one resource in one unit (none: it passed). */
interface Evaluated {
  unit: string;
  ref: Pick<ResourceRef, "kind" | "namespace" | "name">;
  findings: Finding[];
}

/** Equal for the same resource with the same findings in several units (a template rendered several times); unique for a pass. */
const evaluatedKey = (e: Evaluated) =>
  e.findings.length ? [resourceKey(e.ref), ...e.findings.map(repeatKey).sort()].join("\u0001") : `pass\u0001${refKey(e.unit, e.ref)}`;

function controlCases(control: ReportControl, findings: Finding[], units: Map<string, ResourceRef[]>, failOn: string): Case[] {
  const grouped = new Map<string, Finding[]>();
  for (const f of findings) grouped.set(refKey(f.unit, f.resource), [...(grouped.get(refKey(f.unit, f.resource)) ?? []), f]);
  const evaluated: Evaluated[] = [];
  const listed = new Set<string>();
  for (const result of control.results) {
    for (const ref of units.get(result.unit) ?? []) {
      if (!control.kinds.includes(ref.kind)) continue;
      listed.add(refKey(result.unit, ref));
      evaluated.push({ unit: result.unit, ref, findings: grouped.get(refKey(result.unit, ref)) ?? [] });
    }
  }
  // Findings about resources outside the control's kinds (e.g. a Namespace without a policy).
  for (const [key, list] of grouped) if (!listed.has(key)) evaluated.push({ unit: list[0]!.unit, ref: list[0]!.resource, findings: list });
  return collapseRepeats(evaluated, evaluatedKey, (e) => e.unit).map((g) =>
    caseFor(control, g.units, g.first.ref, g.first.findings, failOn),
  );
}

/** `file:line:col: message (field)`: one line of a failure's text. */
const findingLine = (f: Finding) => {
  const field = fieldNote(f);
  return `${findingLocation(f)}: ${f.message}${field ? ` (field: ${field})` : ""}`;
};

function caseFor(
  control: ReportControl,
  units: string[],
  ref: Pick<ResourceRef, "kind" | "namespace" | "name">,
  findings: Finding[],
  failOn: string,
): Case {
  const base: Case = { name: `${resourceName(ref)} [${units.join(", ")}]`, classname: control.id };
  const first = findings[0];
  if (!first) return base;
  const at = findingPosition(first);
  const located = { ...base, file: at.file, line: at.line };
  const states = findings.map((f) => gateState(f, failOn as Finding["severity"]));
  const details = [...findings.map(findingLine), `${units.length === 1 ? "Unit" : "Units"}: ${units.join(", ")}`].join("\n");
  const messages = findings.map((f) => f.message).join(" ");
  if (states.includes("error")) return { ...located, outcome: { tag: "error", message: messages, type: "evaluationError", body: details } };
  if (states.includes("failing"))
    return {
      ...located,
      outcome: { tag: "failure", message: messages, type: first.severity, body: `${details}\n\nRemediation: ${control.remediation}` },
    };
  const reason = states.includes("belowThreshold")
    ? `${first.severity} finding below --fail-on ${failOn}: ${messages}`
    : states.includes("existing")
      ? `in the baseline (existing finding): ${messages}`
      : `waived by ${first.waiver?.id ?? "a waiver"} (${first.waiver?.ticket ?? ""}, expires ${first.waiver?.expires ?? ""}): ${messages}`;
  return { ...located, outcome: { tag: "skipped", message: reason } };
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

const countsAttrs = (c: Counts) => `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="0"`;

/** A skipped testcase per `enabled: false` that kept the control from running in some units. */
function disabledCases(control: ReportControl, disabled: readonly DisabledControl[]): Case[] {
  return disabled
    .filter((d) => d.controlId === control.id)
    .map((d): Case => ({
      name: `${disabledByConfig(d)}${d.profile ? ` for profile ${d.profile}` : ""}`,
      classname: control.id,
      file: d.file,
      line: d.line,
      outcome: { tag: "skipped", message: `${disabledByConfig(d)}: did not run in ${d.units.join(", ")}` },
    }));
}

function suite(name: string, cases: Case[], properties: Array<[string, string]> = []): Counts & { text: string } {
  const count = (tag: string) => cases.filter((c) => c.outcome?.tag === tag).length;
  const counts = { tests: cases.length, failures: count("failure"), errors: count("error"), skipped: count("skipped") };
  const lines = [`  <testsuite name="${xml(name)}" ${countsAttrs(counts)}>`];
  if (properties.length)
    lines.push(
      "    <properties>",
      ...properties.map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`),
      "    </properties>",
    );
  for (const c of cases) {
    const attrs = `name="${xml(c.name)}" classname="${xml(c.classname)}"${c.file ? ` file="${xml(c.file)}"` : ""}${c.line ? ` line="${c.line}"` : ""} time="0"`;
    if (!c.outcome) {
      lines.push(`    <testcase ${attrs}/>`);
      continue;
    }
    const { tag, message, type, body } = c.outcome;
    const open = `<${tag} message="${xml(message)}"${type ? ` type="${xml(type)}"` : ""}`;
    lines.push(`    <testcase ${attrs}>`, body ? `      ${open}>${xml(body)}</${tag}>` : `      ${open}/>`, `    </testcase>`);
  }
  lines.push("  </testsuite>");
  return { ...counts, text: lines.join("\n") };
}

export const junit: Reporter = (report) => {
  const units = new Map(report.units.map((u) => [u.id, u.resources]));
  const groups = byControl(report.findings);
  const suites = report.controls.map((control) =>
    suite(`${control.id}: ${control.title}`, [
      ...controlCases(control, groups.get(control.id) ?? [], units, report.failOn),
      ...disabledCases(control, report.disabledControls),
    ]),
  );
  if (report.inputErrors.length)
    suites.push(
      suite(
        "input errors",
        report.inputErrors.map((e) => ({
          name: errorLocation(e),
          classname: "input",
          file: e.file,
          ...(e.line ? { line: e.line } : {}),
          outcome: { tag: "error", message: `${e.message}${e.hint ? ` (${e.hint})` : ""}`, type: e.code },
        })),
      ),
    );
  if (report.waivers.length)
    suites.push(
      suite(
        "waivers",
        report.waivers.map((w) => ({
          name: `${w.id} (${w.control})`,
          classname: "waiver",
          file: w.file,
          ...(w.state === "expired"
            ? { outcome: { tag: "failure" as const, message: `expired on ${w.expires}: renew or remove it`, type: "expiredWaiver" } }
            : {}),
        })),
      ),
    );
  if (report.configFiles.length)
    suites.push(
      suite(
        "configuration",
        [],
        report.configFiles.map((f) => [`${f.role}:${f.path}`, `sha256:${f.sha256}`]),
      ),
    );
  const totals: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const s of suites) for (const k of Object.keys(totals) as Array<keyof Counts>) totals[k] += s[k];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="erlmcp-audit" ${countsAttrs(totals)}>`,
    ...suites.map((s) => s.text),
    `</testsuites>`,
    "",
  ].join("\n");
};
