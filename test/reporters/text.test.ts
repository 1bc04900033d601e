/** The text report: by severity then file, one line per finding at file:line:col, its fix, a summary table, no noise lines. */
import { describe, expect, it } from "vitest";
import { text } from "../../src/reporters/text.js";
import type { Finding } from "../../src/types.js";
import { finding, HELM_PROD, HELM_STAGING, reportOf, TEMPLATE_LINE } from "./build.js";

const LINE = "charts/app/templates/deployment.yaml:31:15  CRITICAL  pod-no-privileged  Container web runs privileged.";
const low = (unit: string, line: number): Finding =>
  finding(
    unit,
    { file: "charts/app/templates/deployment.yaml", line, column: 9, via: "helm-template" },
    {
      controlId: "pod-no-privileged",
      messageId: "labels",
      message: `Label missing at ${line}.`,
      severity: "low",
      path: "metadata.labels",
    },
  );

describe("text report", () => {
  it("reports a finding repeated in two units once, at file:line:col, with the units, the path, the values key and the fix", () => {
    const out = text(reportOf([finding(HELM_PROD, TEMPLATE_LINE), finding(HELM_STAGING, TEMPLATE_LINE)]));
    const lines = out.split("\n");
    expect(lines).toContain("CRITICAL: 2 findings at 1 location");
    const at = lines.indexOf(`  ${LINE}`);
    expect(at).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes("Container web runs privileged."))).toHaveLength(1);
    expect(lines[at + 1]).toBe(
      "      Deployment app/web · spec.template.spec.containers[0].securityContext.privileged " +
        `(charts/app/values-production.yaml:8: securityContext.privileged) · 2 units: ${HELM_PROD}, ${HELM_STAGING}`,
    );
    expect(lines[at + 2]).toBe("      fix: Set `securityContext.privileged: false` on every container.");
  });

  it("names the one unit of a finding, and falls back to the object's first line without a location", () => {
    const lines = text(reportOf([finding(HELM_PROD)])).split("\n");
    const at = lines.indexOf("  charts/app:120  CRITICAL  pod-no-privileged  Container web runs privileged.");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toContain(`· ${HELM_PROD}`);
  });

  it("groups by severity, critical first, then by file and line; the fix of a control once per file", () => {
    const out = text(reportOf([low(HELM_PROD, 40), low(HELM_PROD, 12), finding(HELM_PROD, TEMPLATE_LINE)]));
    const headings = out.split("\n").filter((l) => /^(CRITICAL|HIGH|MEDIUM|LOW): /.test(l));
    expect(headings).toEqual(["CRITICAL: 1 finding", "LOW: 2 findings"]);
    const findings = out.split("\n").filter((l) => l.startsWith("  charts/"));
    expect(findings.map((l) => l.split("  ")[1])).toEqual([
      "charts/app/templates/deployment.yaml:31:15",
      "charts/app/templates/deployment.yaml:12:9",
      "charts/app/templates/deployment.yaml:40:9",
    ]);
    const lowPart = out.slice(out.indexOf("LOW: 2 findings"));
    expect(lowPart.match(/fix: /g)).toHaveLength(1);
  });

  it("ends with a summary table and the verdict; no engine agreement or kind lists unless verbose", () => {
    const report = reportOf([finding(HELM_PROD, TEMPLATE_LINE), finding(HELM_STAGING, TEMPLATE_LINE, { status: "waived" })]);
    report.tool.engines = ["rego", "typescript"];
    for (const r of report.controls[0]!.results) r.engines = ["rego", "typescript"];
    report.units[0]!.unevaluatedKinds = ["Widget"];
    report.units[1]!.unvalidatedKinds = ["example.com/v1/Widget"];
    const out = text(report);
    const tail = out.trimEnd().split("\n").slice(-9);
    expect(tail).toEqual([
      "Summary",
      "  severity   failing  waived",
      "  critical         1       1",
      "  high             0       0",
      "  medium           0       0",
      "  low              0       0",
      "  audited: 1 files, 2 units, 2 resources; 1 controls ran",
      "  config files: none (defaults, no waivers)",
      expect.stringMatching(/^FAIL 1 failing \(1 critical, 0 high, 0 medium, 0 low\), 1 waived, /),
    ]);
    expect(out).not.toContain("engines agree");
    expect(out).not.toContain(HELM_PROD + " [helm");
    expect(out).toContain("i 1 kind no control inspects, 1 kind with no schema (not type-checked): --verbose lists them");
    const verbose = text(report, { verbose: true });
    expect(verbose).toContain("✔ engines agree on 1 of 1 controls judged by more than one engine (rego, typescript)");
    report.controls[0]!.results.forEach((r) => (r.engines = ["rego"]));
    expect(text(report, { verbose: true })).not.toContain("engines agree");
    expect(verbose).toContain("i not evaluated (no control inspects these kinds): Widget");
    expect(verbose).toContain("i not type-checked (no schema known for these kinds): example.com/v1/Widget");
    expect(verbose).toContain(`  ${HELM_PROD} [helm, profile production]: 1 resources`);
  });

  it("lists waived findings apart, once per location with their units and the waiver", () => {
    const waiver = { id: "W1", justification: "j", owner: "o", approver: "a", ticket: "SEC-1", expires: "2027-01-01" };
    const out = text(reportOf([HELM_PROD, HELM_STAGING].map((u) => finding(u, TEMPLATE_LINE, { status: "waived", waiver }))));
    const lines = out.split("\n");
    const at = lines.indexOf(
      "  charts/app/templates/deployment.yaml:31:15  CRITICAL  pod-no-privileged  Deployment app/web: waived by W1 (SEC-1, expires 2027-01-01)",
    );
    expect(lines[at - 1]).toBe("Waived: 2 findings at 1 location");
    expect(lines[at + 1]).toBe(`      2 units: ${HELM_PROD}, ${HELM_STAGING}`);
    expect(out).not.toMatch(/^CRITICAL: /m);
  });
});
