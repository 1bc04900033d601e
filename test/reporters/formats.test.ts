import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv04Module from "ajv-draft-04";
import addFormats from "ajv-formats";
import { parse as parseJunit, type TestCase, type TestSuites } from "junit2json";
import { beforeAll, describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import type { AuditReport } from "../../src/report/types.js";
import { escapeData, escapeProperty, github } from "../../src/reporters/github.js";
import { REPORTERS } from "../../src/reporters/index.js";
import { junit } from "../../src/reporters/junit.js";
import { findingLocation, findingPosition } from "../../src/reporters/location.js";
import { markdown, MAX_MARKDOWN_CHARS } from "../../src/reporters/markdown.js";
import { sarif } from "../../src/reporters/sarif.js";
import { text } from "../../src/reporters/text.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

// A CommonJS module whose `default` TypeScript (NodeNext) sees as the namespace: take the class itself.
type Ajv04Class = new (options: { allErrors: boolean; strict: boolean }) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown };
};
const Ajv04 = ((Ajv04Module as unknown as { default?: unknown }).default ?? Ajv04Module) as Ajv04Class;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: erlmcp
spec:
  hostNetwork: true
  containers:
    - name: shell
      image: busybox:1.36
      resources: { requests: { memory: 64Mi }, limits: { memory: 64Mi } }
`;

const waiver = (id: string, control: string, messageId: string, [approved, expires]: [string, string], name = "debug") => `  - id: ${id}
    control: ${control}
    messageId: ${messageId}
    match: { kind: Pod, namespace: erlmcp, name: ${name} }
    justification: accepted for the test suite
    owner: a@example.com
    approver: b@example.com
    ticket: SEC-${id}
    approved: "${approved}"
    expires: "${expires}"
`;

export const HOSTILE_REPORT_TREE = {
  "app/debug.yaml": POD,
  "app/cm.yaml": CONFIGMAP("settings"),
  "app/widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: erlmcp}\n",
  "app/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n",
  "waivers.yaml": `apiVersion: erlmcp-audit/v1\nkind: WaiverList\nwaivers:\n${waiver("W1", "res-requests-limits", "cpuRequestMissing", ["2025-06-01", "2026-01-10"])}${waiver("W2", "chg-image-digest", "notPinned", ["2025-01-01", "2025-12-01"])}${waiver("W3", "tls-ingress", "hostWithoutTls", ["2026-01-01", "2027-01-01"], "nothing")}`,
};

describe("reporters on a report with failures, waivers and input errors", () => {
  const root = tempTree(HOSTILE_REPORT_TREE);
  let report: AuditReport;
  beforeAll(async () => {
    report = await audit(["app"], {
      cwd: root,
      config: false,
      waivers: [join(root, "waivers.yaml")],
      now: new Date("2026-01-01T00:00:00Z"),
    });
  }, 120_000);

  it("has the mix the formats must show", () => {
    const states = new Set(report.findings.map((f) => f.status));
    expect([...states].sort()).toEqual(["fail", "waived"]);
    expect(report.inputErrors.map((e) => [e.code, e.file, e.line])).toEqual([["YAML_SYNTAX", "app/broken.yaml", 4]]);
    expect(report.waivers.map((w) => [w.id, w.state, w.matched])).toEqual([
      ["W1", "expiring", 1],
      ["W2", "expired", 1],
      ["W3", "active", 0],
    ]);
    expect(report.units[0]!.unevaluatedKinds).toEqual(["Widget"]);
    expect(report.summary.exitCode).toBe(2);
  });

  it("SARIF validates against the SARIF 2.1.0 schema and carries waiver notifications", () => {
    const schema = JSON.parse(readFileSync(new URL("../schemas/sarif-schema-2.1.0.json", import.meta.url), "utf8")) as object;
    const ajv = new Ajv04({ allErrors: true, strict: false });
    (addFormats as unknown as (a: unknown) => void)(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(sarif(report)) as {
      runs: Array<{
        results: Array<{ ruleId: string; suppressions?: unknown[] }>;
        invocations: Array<{
          toolConfigurationNotifications: Array<{ descriptor: { id: string } }>;
          toolExecutionNotifications: unknown[];
        }>;
      }>;
    };
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const run = log.runs[0]!;
    expect(run.results.some((r) => r.ruleId === "res-requests-limits" && r.suppressions?.length === 1)).toBe(true);
    expect(run.results.some((r) => r.ruleId === "pod-no-host-access" && !r.suppressions)).toBe(true);
    expect(run.invocations[0]!.toolConfigurationNotifications.map((n) => n.descriptor.id)).toEqual([
      "waiverExpiring",
      "waiverExpired",
      "waiverUnused",
    ]);
    expect(run.invocations[0]!.toolExecutionNotifications).toHaveLength(1);
  });

  it("JUnit parses with junit2json: a suite per control, a case per (control, resource), failures with file:line and remediation", async () => {
    const parsed = (await parseJunit(junit(report))) as TestSuites;
    const suites = parsed.testsuite ?? [];
    expect(suites.map((s) => s.name?.split(":")[0])).toEqual([
      ...report.controls.map((c) => c.id),
      "input errors",
      "waivers",
      "configuration",
    ]);
    const hostAccess = suites.find((s) => s.name?.startsWith("pod-no-host-access:"))!;
    const podCase = hostAccess.testcase!.find((t) => t.name === "Pod erlmcp/debug [app]")!;
    const hostFinding = report.findings.find((f) => f.controlId === "pod-no-host-access" && f.status === "fail")!;
    expect(podCase.failure?.[0]?.inner).toContain(`${findingLocation(hostFinding)}: ${hostFinding.message}`);
    const { file, line } = podCase as TestCase & { file?: string; line?: number };
    expect([file, line]).toEqual([findingPosition(hostFinding).file, findingPosition(hostFinding).line]);
    expect(podCase.failure?.[0]?.inner).toContain(
      `Remediation: ${report.controls.find((c) => c.id === "pod-no-host-access")!.remediation}`,
    );
    // Passing cases are listed too: a control that inspects ConfigMaps passes the clean one.
    const cmSuite = suites.find((s) => s.testcase?.some((t) => t.name === "ConfigMap erlmcp/settings [app]" && !t.failure && !t.skipped));
    expect(cmSuite).toBeDefined();
    const waived = suites
      .find((s) => s.name?.startsWith("res-requests-limits:"))!
      .testcase!.find((t) => t.name === "Pod erlmcp/debug [app]")!;
    expect(waived.skipped?.[0]?.message).toMatch(/^waived by W1/);
    expect(suites.find((s) => s.name === "input errors")!.testcase![0]!.error![0]!.type).toBe("YAML_SYNTAX");
    expect(suites.find((s) => s.name === "waivers")!.failures).toBe(1);
    // Totals agree with the suites and the exit code's view of failures.
    const caseFailures = suites.reduce((n, s) => n + (s.testcase ?? []).filter((t) => t.failure).length, 0);
    expect(parsed.failures).toBe(caseFailures);
    const failingGroups = new Set(report.findings.filter((f) => f.status === "fail").map((f) => `${f.controlId}/${f.resource.name}`));
    expect(caseFailures).toBe(failingGroups.size + 1);
  });

  it("JUnit escapes XML and strips characters XML cannot carry", async () => {
    const hostile = structuredClone(report);
    hostile.findings[0]!.message = `<&"'> \u0001 ]]>`;
    const parsed = (await parseJunit(junit(hostile))) as TestSuites;
    expect(JSON.stringify(parsed)).toContain(`<&\\"'> \uFFFD ]]>`);
  });

  it("GitHub annotations: an error per failing finding at file:line, warnings for waivers, escaped per the runner's rules", () => {
    const out = github(report).trimEnd().split("\n");
    const failing = report.findings.filter((f) => f.status === "fail");
    expect(
      out.filter((l) => /^::error file=app\/[a-z]+\.yaml,line=\d+,(col=\d+,)?title=(?!erlmcp-audit input error)/.test(l)),
    ).toHaveLength(failing.length);
    const host = findingPosition(failing.find((f) => f.controlId === "pod-no-host-access")!);
    const at = `line=${host.line}${host.column ? `,col=${host.column}` : ""}`;
    expect(
      out.filter((l) => l.startsWith(`::error file=app/debug.yaml,${at},title=pod-no-host-access (critical)::Pod erlmcp/debug: `)),
    ).toHaveLength(1);
    expect(out).toContain(
      "::error file=app/broken.yaml,line=4,col=14,title=erlmcp-audit input error YAML_SYNTAX::" +
        `${report.inputErrors[0]!.message} (fix the YAML at this line and column)`,
    );
    expect(out.filter((l) => l.startsWith("::warning file="))).toHaveLength(2);
    expect(out.at(-1)).toMatch(/^erlmcp-audit ERROR: /);
    expect(escapeData("50% done\r\nnext")).toBe("50%25 done%0D%0Anext");
    expect(escapeProperty("a:b,c%")).toBe("a%3Ab%2Cc%25");
    expect(out.every((l) => !l.includes("\n"))).toBe(true);
  });

  it("markdown: verdict, summary table, failures grouped by control in <details>, escaped", () => {
    const body = markdown(report);
    expect(body).toMatch(/^## ⚠️ erlmcp-audit: ERROR\n/);
    expect(body).toContain("| Severity | Failing | Waived |");
    expect(body).toContain("<summary>❌ <b>pod-no-host-access</b>");
    expect(body).toContain("waiver <code>W2</code> (chg-image-digest) expired on 2025-12-01");
    expect(body).toContain("<code>app</code>: Widget");
    const hostile = structuredClone(report);
    hostile.findings.find((f) => f.status === "fail")!.message = "a | b <script>";
    expect(markdown(hostile)).toContain("a \\| b &lt;script&gt;");
    const huge = structuredClone(report);
    huge.findings = Array.from({ length: 2000 }, () => ({
      ...report.findings.find((f) => f.status === "fail")!,
      message: "x".repeat(100),
    }));
    const cut = markdown(huge);
    expect(cut.length).toBeLessThan(MAX_MARKDOWN_CHARS + 200);
    expect((cut.match(/<details>/g) ?? []).length).toBe((cut.match(/<\/details>/g) ?? []).length);
  });

  it("text: colours only when asked, lists input errors and waiver warnings, counts unevaluated kinds (listed with verbose)", () => {
    const plain = text(report, { color: false });
    // eslint-disable-next-line no-control-regex
    expect(plain).not.toMatch(/\x1b\[/);
    expect(text(report, { color: true })).toMatch(/\x1b\[/); // eslint-disable-line no-control-regex
    expect(plain).toContain("app/broken.yaml:4:14");
    expect(plain).toContain("waiver W1 (res-requests-limits) expires in 9 days");
    expect(plain).toContain("waiver W3 (tls-ingress) matched nothing");
    expect(plain).toMatch(/^i 1 kind no control inspects(, .*)?: --verbose lists them$/m);
    expect(text(report, { verbose: true })).toContain("not evaluated (no control inspects these kinds): Widget");
  });

  it("every registered format is a pure function of the report", () => {
    for (const [name, reporter] of Object.entries(REPORTERS)) expect(reporter(report), name).toBe(reporter(structuredClone(report)));
  });
});
