/** SARIF 2.1.0: one rule per control, one result per failing or waived finding; waived results are suppressed. */
import type { Log, Notification, ReportingDescriptor, Result } from "sarif";
import type { AuditReport, DisabledControl, ReportControl } from "../report/types.js";
import type { Finding, Severity } from "../types.js";
import { findingFingerprint, resourceKey } from "../findings/identity.js";
import { disabledByConfig } from "./config.js";
import { resourceName } from "./location.js";
import { inertJson } from "./sanitize.js";
import type { Reporter } from "./types.js";

const LEVEL: Record<Severity, Result.level> = { critical: "error", high: "error", medium: "warning", low: "note" };
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };
const INFORMATION_URI = "https://github.com/erlmcp/erlmcp-audit";

function rule(control: ReportControl, disabled: readonly DisabledControl[]): ReportingDescriptor {
  const mappings = [
    ...control.frameworks.soc2.map((m) => `SOC 2 ${m.id} (basis ${m.basis.join("+")}): ${m.rationale}`),
    ...control.frameworks.iso27001.map((m) => `ISO/IEC 27001:2022 ${m.id} (basis ${m.basis.join("+")}): ${m.rationale}`),
  ];
  return {
    id: control.id,
    name: control.id.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()),
    shortDescription: { text: control.title },
    fullDescription: { text: control.description },
    help: {
      text: `${control.remediation}\n\nFramework mappings:\n${mappings.join("\n")}`,
      markdown: `${control.remediation}\n\n**Framework mappings**\n\n${mappings.map((m) => `- ${m}`).join("\n")}`,
    },
    helpUri: `${INFORMATION_URI}/blob/main/docs/controls/${control.id}.md`,
    defaultConfiguration: { level: LEVEL[control.severity] },
    properties: {
      tags: [
        "security",
        "kubernetes",
        control.domain,
        ...control.frameworks.soc2.map((m) => `soc2/${m.id}`),
        ...control.frameworks.iso27001.map((m) => `iso27001/${m.id}`),
      ],
      "security-severity": SECURITY_SEVERITY[control.severity],
      frameworks: control.frameworks,
      ...(disabled.length
        ? {
            disabledByConfig: disabled.map(({ profile, units, file, line, reason }) => ({
              ...(profile ? { profile } : {}),
              units,
              file,
              line,
              reason,
            })),
          }
        : {}),
    },
  };
}

/** Controls the config disabled, located at their `enabled: false`. */
function disabledNotifications(report: AuditReport): Notification[] {
  return report.disabledControls.map((d) => ({
    level: "note",
    descriptor: { id: "controlDisabled" },
    associatedRule: { id: d.controlId },
    locations: [{ physicalLocation: { artifactLocation: { uri: d.file.split("\\").join("/") }, region: { startLine: d.line } } }],
    message: {
      text: `Control ${d.controlId} ${disabledByConfig(d)}${d.profile ? ` for profile ${d.profile}` : ""}: did not run in ${d.units.length} input sets.`,
    },
  }));
}

/** Expired, expiring and unused waivers, located at the waiver file. */
function waiverNotifications(report: AuditReport): Notification[] {
  const at = (file: string) => [{ physicalLocation: { artifactLocation: { uri: file.split("\\").join("/") } } }];
  const out: Notification[] = [];
  for (const w of report.waivers) {
    if (w.state === "expired")
      out.push({
        level: "error",
        descriptor: { id: "waiverExpired" },
        locations: at(w.file),
        message: { text: `Waiver ${w.id} (${w.control}) expired on ${w.expires}: renew or remove it.` },
      });
    else if (w.state === "expiring")
      out.push({
        level: "warning",
        descriptor: { id: "waiverExpiring" },
        locations: at(w.file),
        message: { text: `Waiver ${w.id} (${w.control}) expires in ${w.daysLeft} days (${w.expires}).` },
      });
    if (w.matched === 0)
      out.push({
        level: "warning",
        descriptor: { id: "waiverUnused" },
        locations: at(w.file),
        message: { text: `Waiver ${w.id} (${w.control}) matched nothing: remove it.` },
      });
  }
  return out;
}

/** One result per finding (a finding's identity is its fingerprint); waived results are suppressed. */
function result(f: Finding, ruleIndex: number): Result {
  return {
    ruleId: f.controlId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${resourceName(f.resource)}: ${f.message}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: f.source.file.split("\\").join("/") },
          region: { startLine: Math.max(1, f.source.line) },
        },
        logicalLocations: [{ fullyQualifiedName: resourceKey(f.resource), kind: "resource" }],
      },
    ],
    partialFingerprints: { "erlmcpAuditFinding/v2": findingFingerprint(f) },
    ...(f.baseline ? { baselineState: f.baseline === "new" ? ("new" as const) : ("unchanged" as const) } : {}),
    properties: { unit: f.unit, severity: f.severity, messageId: f.messageId, data: f.data, engine: f.engine },
    ...(f.status === "waived" && f.waiver
      ? {
          suppressions: [
            {
              kind: "external" as const,
              status: "accepted" as const,
              justification: `${f.waiver.id}: ${f.waiver.justification} (approved by ${f.waiver.approver}, ${f.waiver.ticket}, expires ${f.waiver.expires})`,
            },
          ],
        }
      : {}),
  };
}

export const sarif: Reporter = (report) => {
  const rules = report.controls.map((c) =>
    rule(
      c,
      report.disabledControls.filter((d) => d.controlId === c.id),
    ),
  );
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.findings
    .filter((f) => f.status === "fail" || f.status === "waived")
    .map((f) => result(f, ruleIndex.get(f.controlId) ?? 0));
  const log: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "erlmcp-audit",
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: report.summary.exitCode !== 2,
            toolConfigurationNotifications: [...disabledNotifications(report), ...waiverNotifications(report)],
            toolExecutionNotifications: report.inputErrors.map((e) => ({
              level: "error",
              message: { text: `${e.message}${e.hint ? ` (${e.hint})` : ""}` },
              descriptor: { id: e.code },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: e.file },
                    ...(e.line ? { region: { startLine: e.line, ...(e.column ? { startColumn: e.column } : {}) } } : {}),
                  },
                },
              ],
            })),
          },
        ],
        results,
        properties: {
          policyBundleSha256: report.tool.policyBundleSha256,
          opaVersion: report.tool.opaVersion,
          configFiles: report.configFiles,
          ...(report.baseline ? { baseline: { file: report.baseline.file, fixed: report.baseline.fixed } } : {}),
        },
      },
    ],
  };
  return inertJson(JSON.stringify(log, null, 2)) + "\n";
};
