/** SARIF 2.1.0: one rule per control, one result per failing or waived finding (repeats across units once); waived results are suppressed. */
import type { Log, Notification, ReportingDescriptor, Result } from "sarif";
import type { AuditReport, DisabledControl, ReportControl } from "../report/types.js";
import type { Severity } from "../types.js";
import { resourceKey } from "../findings/identity.js";
import { disabledByConfig } from "./config.js";
import { groupFingerprint, groupRepeated, type FindingGroup } from "./group.js";
import { distinctValues, findingPosition, logicalName, resourceName, valuesLocation } from "./location.js";
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
        message: { text: `Waiver ${w.id} (${w.control}) matched nothing: ${w.unused?.advice ?? "remove it"}.` },
      });
  }
  return out;
}

/** The message of a result: resource and message, then the field to change and the Helm values behind it. */
function resultText(g: FindingGroup): string {
  const f = g.first;
  const values = distinctValues(g.members).map(valuesLocation);
  return [
    `${resourceName(f.resource)}: ${f.message}`,
    ...(f.path ? [`Field: ${f.path}.`] : []),
    ...(values.length ? [`Values: ${values.join("; ")}.`] : []),
  ].join(" ");
}

/**
 * One result per finding repeated at one location (its units in `properties.units` and one logical
 * location each); a lone finding keeps its own fingerprint. Waived results are suppressed.
 */
function result(g: FindingGroup, ruleIndex: number): Result {
  const f = g.first;
  const p = findingPosition(f);
  const lines = f.location?.objectLines;
  // The object's line range as context, when the file that holds the line declares the object.
  const context = lines && lines[0] <= p.line && p.line <= lines[1] ? { contextRegion: { startLine: lines[0], endLine: lines[1] } } : {};
  const values = distinctValues(g.members);
  return {
    ruleId: f.controlId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: resultText(g) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: p.file.split("\\").join("/") },
          region: { startLine: p.line, ...(p.column ? { startColumn: p.column } : {}) },
          ...context,
        },
        logicalLocations: g.members.map((m) => ({ fullyQualifiedName: logicalName(m), name: resourceKey(m.resource), kind: "resource" })),
      },
    ],
    partialFingerprints: { "erlmcpAuditFinding/v2": groupFingerprint(g) },
    ...(f.baseline ? { baselineState: f.baseline === "new" ? ("new" as const) : ("unchanged" as const) } : {}),
    properties: {
      unit: f.unit,
      units: g.units,
      ...(f.path ? { path: f.path } : {}),
      via: p.via,
      ...(values.length ? { values } : {}),
      severity: f.severity,
      messageId: f.messageId,
      data: f.data,
      engine: f.engine,
    },
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
  const results = groupRepeated(report.findings.filter((f) => f.status === "fail" || f.status === "waived")).map((g) =>
    result(g, ruleIndex.get(g.first.controlId) ?? 0),
  );
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
