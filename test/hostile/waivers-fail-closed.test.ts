/**
 * Waivers and config fail closed. Each case plants a privileged container (or a `/` host path) behind a
 * waiver or a config setting, beside a good manifest: a waiver that cannot be read exactly, pins
 * nothing or runs too long is a config error (exit 2, file:line); a precise waiver does not cover what
 * was added later (exit 1); a control switched off says so, with file:line and reason, in every format
 * and in the evidence; every report names the config files it used with their SHA-256.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderEvidencePackage } from "../../src/evidence/package.js";
import type { AuditReport } from "../../src/report/types.js";
import { FORMAT_NAMES } from "../../src/reporters/index.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

const CONFIG = "erlmcp-audit.config.yaml";
const DIGEST = `sha256:${"a".repeat(64)}`;
const PRIVILEGED = `        - name: debug
          image: ghcr.io/erlmcp/debug:1.0@${DIGEST}
          securityContext: { privileged: true }
`;
const ROOT_VOLUME = `        - name: root
          hostPath: { path: / }
`;

/** The workload: a log shipper reading the node's /var/log read-only, plus whatever was added later. */
function deployment(added: { containers?: string; volumes?: string } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: erlmcp
spec:
  selector: { matchLabels: { app: log-shipper } }
  template:
    metadata: { labels: { app: log-shipper } }
    spec:
      containers:
        - name: app
          image: ghcr.io/erlmcp/log-shipper:1.0@${DIGEST}
          volumeMounts: [{ name: varlog, mountPath: /var/log, readOnly: true }]
${added.containers ?? ""}      volumes:
        - name: varlog
          hostPath: { path: /var/log }
${added.volumes ?? ""}`;
}

/** One waiver of pod-no-host-access; each field can be replaced or (null) left out. Line 4 is `- id:`. */
function waivers(fields: Record<string, string | null> = {}): string {
  const all: Record<string, string | null> = {
    control: "pod-no-host-access",
    messageId: "hostPathVolume",
    data: "{ volume: varlog, path: /var/log }",
    match: "{ kind: Deployment, namespace: erlmcp, name: app }",
    justification: "the log shipper reads the node's /var/log read-only",
    owner: "platform@example.com",
    approver: "security@example.com",
    ticket: "SEC-77",
    approved: '"2026-06-01"',
    expires: '"2026-12-31"',
    ...fields,
  };
  const lines = Object.entries(all).flatMap(([k, v]) => (v === null ? [] : [`    ${k}: ${v}`]));
  return ["apiVersion: erlmcp-audit/v1", "kind: WaiverList", "waivers:", "  - id: WVR-LOG", ...lines, ""].join("\n");
}

const good = { "good/cm.yaml": CONFIGMAP("survivor") };

/** Audits app/ and good/ with the config (and waiver file) at the root of a fresh tree. */
async function run(files: Record<string, string>, args: string[] = ["--format", "json"]) {
  const root = tempTree({ ...good, [CONFIG]: "waivers: [w.yaml]\n", ...files });
  const r = await runCli([join(root, "app"), join(root, "good"), "--controls", "pod-no-host-access,pod-restricted-context", ...args]);
  return { ...r, root };
}

const reportOf = (stdout: string) => JSON.parse(stdout) as AuditReport;
const audited = (report: AuditReport) => report.units.flatMap((u) => u.resources.map((r) => r.name));

// The audit date waivers are judged by: approved 2026-06-01 is in the past, 2026-12-31 a valid expiry.
beforeEach(() => void (process.env.SOURCE_DATE_EPOCH = String(Date.parse("2026-06-15T00:00:00Z") / 1000)));
afterEach(() => void delete process.env.SOURCE_DATE_EPOCH);

describe("a waiver that cannot be read exactly is a config error (exit 2, file:line), never a silent pass", () => {
  const privileged = { "app/deploy.yaml": deployment({ containers: PRIVILEGED }) };
  const coversPrivileged = { messageId: "privilegedContainer", data: "{ container: debug }" };
  const CASES: Array<[string, Record<string, string | null>, RegExp]> = [
    [
      "an expiry that is not a calendar date",
      { ...coversPrivileged, expires: '"2020-13-45"' },
      /w\.yaml:14:5: waivers\[0\]\.expires: must be a real calendar date/,
    ],
    [
      "no message ID",
      { ...coversPrivileged, messageId: null },
      /w\.yaml:4:5: waivers\[0\]\.messageId: required key 'messageId' is missing/,
    ],
    [
      "no approval date",
      { ...coversPrivileged, approved: null },
      /w\.yaml:4:5: waivers\[0\]\.approved: required key 'approved' is missing/,
    ],
    [
      "an empty label selector",
      { ...coversPrivileged, match: "{ labels: {} }" },
      /w\.yaml:8:14: waivers\[0\]\.match\.labels: an empty label selector matches every resource/,
    ],
    [
      "a match with no resource identity",
      { ...coversPrivileged, match: "{ kind: Deployment }" },
      /w\.yaml:8:5: waivers\[0\]\.match: does not pin a resource/,
    ],
    [
      "a lifetime over the 365-day maximum",
      { ...coversPrivileged, expires: '"2027-06-02"' },
      /w\.yaml:14:5: waivers\[0\]\.expires: 2027-06-02 is 366 days after the approval date 2026-06-01; a waiver may run at most 365 days/,
    ],
    [
      "an approval in the future",
      { ...coversPrivileged, approved: '"2026-07-01"' },
      /w\.yaml:13:5: waivers\[0\]\.approved: 2026-07-01 is after the audit date 2026-06-15/,
    ],
  ];

  it.each(CASES)("%s", async (_, fields, location) => {
    const { code, stdout, stderr } = await run({ ...privileged, "w.yaml": waivers(fields) });
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(location);
    expect(stdout).toBe("");
  });

  it("the same waiver written correctly does waive the privileged container: the failures above are the waiver's fault", async () => {
    const { code, stdout, stderr } = await run({ ...privileged, "w.yaml": waivers(coversPrivileged) });
    const report = reportOf(stdout);
    expect(report.findings.filter((f) => f.controlId === "pod-no-host-access").map((f) => [f.messageId, f.status])).toEqual([
      ["hostPathVolume", "fail"],
      ["privilegedContainer", "waived"],
    ]);
    expect(code, stderr).toBe(1);
  });
});

describe("a waiver of the read-only /var/log host path covers exactly that finding", () => {
  it("waives the /var/log volume of the workload (exit 0 with only that finding)", async () => {
    const { code, stdout } = await run({ "app/deploy.yaml": deployment(), "w.yaml": waivers() }, [
      "--format",
      "json",
      "--skip-controls",
      "pod-restricted-context",
    ]);
    const report = reportOf(stdout);
    expect(report.findings.map((f) => [f.messageId, f.data, f.status, f.waiver?.id])).toEqual([
      ["hostPathVolume", { volume: "varlog", path: "/var/log" }, "waived", "WVR-LOG"],
    ]);
    expect(audited(report)).toEqual(["app", "survivor"]);
    expect(code).toBe(0);
  });

  it("does not cover a privileged container added later to the same workload (exit 1)", async () => {
    const { code, stdout } = await run({ "app/deploy.yaml": deployment({ containers: PRIVILEGED }), "w.yaml": waivers() }, [
      "--format",
      "json",
      "--skip-controls",
      "pod-restricted-context",
    ]);
    const report = reportOf(stdout);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.messageId, f.data, f.status])).toEqual([
      ["hostPathVolume", { volume: "varlog", path: "/var/log" }, "waived"],
      ["privilegedContainer", { container: "debug" }, "fail"],
    ]);
    expect(audited(report)).toContain("survivor");
  });

  it("does not cover a `/` host path added later to the same workload (exit 1)", async () => {
    const { code, stdout } = await run({ "app/deploy.yaml": deployment({ volumes: ROOT_VOLUME }), "w.yaml": waivers() }, [
      "--format",
      "json",
      "--skip-controls",
      "pod-restricted-context",
    ]);
    const report = reportOf(stdout);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.messageId, f.data, f.status])).toEqual([
      ["hostPathVolume", { volume: "root", path: "/" }, "fail"],
      ["hostPathVolume", { volume: "varlog", path: "/var/log" }, "waived"],
    ]);
    expect(audited(report)).toContain("survivor");
  });
});

describe("a waiver pins the host path itself", () => {
  it("does not cover the same volume pointed at `/` later (exit 1)", async () => {
    const widened = deployment().replace("hostPath: { path: /var/log }", "hostPath: { path: / }");
    const { code, stdout } = await run({ "app/deploy.yaml": widened, "w.yaml": waivers() }, [
      "--format",
      "json",
      "--skip-controls",
      "pod-restricted-context",
    ]);
    expect(code).toBe(1);
    expect(reportOf(stdout).findings.map((f) => [f.messageId, f.data, f.status])).toEqual([
      ["hostPathVolume", { volume: "varlog", path: "/" }, "fail"],
    ]);
  });
});

describe("enabled: false", () => {
  const DISABLE = "controls:\n  pod-no-host-access:\n    enabled: false\n";
  const privileged = { "app/deploy.yaml": deployment({ containers: PRIVILEGED }) };

  it("without a reason is a config error naming file:line (exit 2)", async () => {
    const { code, stdout, stderr } = await run({ ...privileged, [CONFIG]: DISABLE });
    expect(code).toBe(2);
    expect(stderr).toMatch(/erlmcp-audit\.config\.yaml:3:5: controls\.pod-no-host-access\.enabled: `enabled: false` needs a `reason`/);
    expect(stdout).toBe("");
  });

  it("with a reason is shown as disabled by config (file:line, reason) in every format and in the evidence, never as not applicable", async () => {
    const files = { ...privileged, [CONFIG]: `${DISABLE}    reason: the platform's admission policy blocks host access\n` };
    const shown = /disabled by config \(\S*erlmcp-audit\.config\.yaml:3, the platform's admission policy blocks host access\)/;
    const root = tempTree({ ...good, ...files });
    const cli = (format: string) =>
      runCli([join(root, "app"), join(root, "good"), "--controls", "pod-no-host-access,pod-restricted-context", "--format", format]);

    const json = await cli("json");
    expect(json.code, json.stderr).toBe(1); // pod-restricted-context still fails the privileged workload
    const report = reportOf(json.stdout);
    expect(report.disabledControls).toEqual([
      {
        controlId: "pod-no-host-access",
        units: report.units.map((u) => u.id),
        file: expect.stringMatching(/erlmcp-audit\.config\.yaml$/),
        line: 3,
        reason: "the platform's admission policy blocks host access",
      },
    ]);
    expect(report.summary).toMatchObject({ controls: 1, disabledControls: 1 });
    expect(audited(report)).toContain("survivor");

    for (const format of FORMAT_NAMES.filter((f) => f !== "json")) {
      const { stdout } = await cli(format);
      const readable =
        format === "junit" ? stdout.replaceAll("&apos;", "'") : format === "markdown" ? stdout.replaceAll("&#39;", "'") : stdout;
      expect(readable, format).toMatch(shown);
      expect(readable, format).not.toMatch(/not applicable/i);
    }
    const text = (await cli("text")).stdout;
    expect(text).toMatch(/^ {2}audited: \d+ files, 2 units, 2 resources; 1 controls ran \(1 disabled by config\)$/m);
    expect((await cli("markdown")).stdout).toMatch(/1 controls ran \(1 disabled by config\)/);

    const { files: evidence } = renderEvidencePackage(report, { paths: ["app", "good"] });
    const control = JSON.parse(evidence["evidence.json"]!).controls.find((c: { id: string }) => c.id === "pod-no-host-access");
    expect(control).toMatchObject({
      status: "disabled",
      disabled: [{ line: 3, reason: "the platform's admission policy blocks host access" }],
    });
    for (const file of ["report.html", "assessment-results.json", "controls.csv"])
      expect(evidence[file]!.replaceAll("&#39;", "'"), file).toMatch(shown);
    const csvRows = evidence["controls.csv"]!.split("\r\n").filter((r) => r.includes('"pod-no-host-access"'));
    expect(csvRows.length).toBeGreaterThan(0);
    for (const row of csvRows) expect(row).toContain('"disabled"');
  });
});

describe("config files used", () => {
  it("every report names the config and waiver files with their SHA-256", async () => {
    const { stdout, root } = await run({ "app/deploy.yaml": deployment(), "w.yaml": waivers() });
    const sha = (file: string) =>
      createHash("sha256")
        .update(readFileSync(join(root, file)))
        .digest("hex");
    const report = reportOf(stdout);
    expect(report.configFiles).toEqual([
      { path: expect.stringMatching(/erlmcp-audit\.config\.yaml$/), sha256: sha(CONFIG), role: "config" },
      { path: expect.stringMatching(/\/w\.yaml$/), sha256: sha("w.yaml"), role: "waivers" },
    ]);
    const paths = [join(root, "app"), join(root, "good"), "--controls", "pod-no-host-access"];
    const text = (await runCli([...paths, "--format", "text"])).stdout;
    expect(text.split("\n").filter((l) => l.includes(sha(CONFIG)) && l.includes(sha("w.yaml")))).toHaveLength(1);
    for (const format of ["markdown", "sarif", "junit"]) {
      const out = (await runCli([...paths, "--format", format])).stdout;
      expect(out, format).toContain(sha(CONFIG));
      expect(out, format).toContain(sha("w.yaml"));
    }
    const sarif = JSON.parse((await runCli([...paths, "--format", "sarif"])).stdout);
    expect(sarif.runs[0].properties.configFiles).toEqual(report.configFiles);
    const { files: evidence } = renderEvidencePackage(report, { paths: ["app", "good"] });
    expect(JSON.parse(evidence["evidence.json"]!).scope.configFiles).toEqual(report.configFiles);
    for (const file of ["report.html", "assessment-results.json"]) expect(evidence[file], file).toContain(sha("w.yaml"));
  });
});
