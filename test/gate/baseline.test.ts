import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyBaseline, BaselineError, createBaseline, readBaseline } from "../../src/baseline/baseline.js";
import type { AuditReport } from "../../src/report/types.js";
import type { Finding } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { tempTree } from "../helpers/tmp.js";

const pod = (name: string, extra = "") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: erlmcp
spec:${extra}
  hostNetwork: true
  containers:
    - name: shell
      image: busybox:1.36
`;

const finding = (name: string, status: Finding["status"] = "fail", messageId = "hostNamespace"): Finding => ({
  controlId: "pod-no-host-access",
  messageId,
  message: "m",
  data: {},
  severity: "critical",
  status,
  resource: { apiVersion: "v1", kind: "Pod", namespace: "erlmcp", name },
  source: { file: "a.yaml", line: 1, documentIndex: 0 },
  engine: "rego",
  unit: "app",
});

describe("baseline model", () => {
  it("keeps identities only, deduplicated and sorted, and marks new, existing and fixed", () => {
    const base = createBaseline([finding("b"), finding("a"), finding("a"), finding("w", "waived")]);
    expect(base.findings.map((e) => e.name)).toEqual(["a", "b"]);
    expect(JSON.stringify(base)).not.toMatch(/line|file/);
    const { findings, fixed } = applyBaseline([finding("a"), finding("c"), finding("b", "waived")], base);
    expect(findings.map((f) => [f.resource.name, f.baseline])).toEqual([
      ["a", "existing"],
      ["c", "new"],
      ["b", undefined],
    ]);
    expect(fixed).toEqual([]); // b is waived now: neither fixed nor failing
    expect(applyBaseline([], base).fixed.map((e) => e.name)).toEqual(["a", "b"]);
  });

  it("tells findings of one resource apart by their data: a second failing container is new", () => {
    const withData = (container: string): Finding => ({ ...finding("a"), messageId: "privileged", data: { container } });
    const base = createBaseline([withData("app"), withData("app")]);
    expect(base.findings).toHaveLength(1);
    const { findings } = applyBaseline([withData("app"), withData("sidecar")], base);
    expect(findings.map((f) => [f.data.container, f.baseline])).toEqual([
      ["app", "existing"],
      ["sidecar", "new"],
    ]);
  });

  it("refuses a version 1 baseline (no finding data) with the command that recreates it", () => {
    const root = tempTree({ "v1.json": '{"tool":"erlmcp-audit","version":1,"findings":[]}' });
    expect(() => readBaseline(join(root, "v1.json"))).toThrow(/version 1 baseline.*--write-baseline/);
  });

  it("rejects files that are not a baseline, naming the file and the fix", () => {
    const root = tempTree({ "bad.json": "{}", "old.json": '{"tool":"erlmcp-audit","version":0,"findings":[]}', "x.json": "not json" });
    for (const f of ["bad.json", "old.json", "x.json", "missing.json"]) {
      expect(() => readBaseline(join(root, f))).toThrow(BaselineError);
      expect(() => readBaseline(join(root, f))).toThrow(new RegExp(`${f}.*--write-baseline`));
    }
  });
});

describe("CLI gate with --baseline", () => {
  const root = tempTree({ "app/a.yaml": pod("a"), "app/b.yaml": pod("b") });
  const app = join(root, "app");
  const base = join(root, "out/baseline.json");
  const gate = ["--controls", "pod-no-host-access", "--no-config"];

  it("only new findings fail; existing stay visible; fixed ones are counted", async () => {
    const first = await runCli([app, ...gate, "--write-baseline", base]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^PASS 0 new failing, 2 existing in the baseline \(2 critical, /m);
    const saved = JSON.parse(readFileSync(base, "utf8")) as { version: number; findings: Array<Record<string, string>> };
    expect(saved.version).toBe(2);
    expect(saved.findings.map((e) => e.name)).toEqual(["a", "b"]);

    const same = await runCli([app, ...gate, "--baseline", base]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/ {2}pod-no-host-access {2}.* \(in baseline\)\n {6}Pod erlmcp\/a · /);
    expect(same.stdout).toMatch(/^PASS 0 new failing, 2 existing in the baseline \(2 critical, 0 high, 0 medium, 0 low\), 0 fixed, /m);
    expect(same.stdout).not.toMatch(/PASS \d+ failing/);

    // Moving a resource (line numbers change) keeps it matched; a new pod fails; a removed one is fixed.
    writeFileSync(join(app, "a.yaml"), `# moved\n\n${pod("a")}`);
    writeFileSync(join(app, "c.yaml"), pod("c"));
    rmSync(join(app, "b.yaml"));
    const next = await runCli([app, ...gate, "--baseline", base, "--format", "json"]);
    expect(next.code).toBe(1);
    const report = JSON.parse(next.stdout) as AuditReport;
    expect(report.findings.map((f) => [f.resource.name, f.baseline])).toEqual([
      ["a", "existing"],
      ["c", "new"],
    ]);
    expect(report.summary.baseline).toEqual({ new: 1, existing: 1, fixed: 1 });
    expect(report.baseline?.fixed.map((e) => e.name)).toEqual(["b"]);

    const text = await runCli([app, ...gate, "--baseline", base]);
    expect(text.stdout).toContain("fixed since the baseline: pod-no-host-access Pod erlmcp/b hostNamespace");
  });

  it("a missing or broken baseline is a usage error (exit 2)", async () => {
    const r = await runCli([app, ...gate, "--baseline", join(root, "nope.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.json: cannot read the baseline .*--write-baseline/);
  });
});

describe("CLI waiver lifecycle and limits", () => {
  const waivers = (expires: string) => `apiVersion: erlmcp-audit/v1
kind: WaiverList
waivers:
  - id: W1
    control: pod-no-host-access
    messageId: hostNamespace
    match: { kind: Pod, namespace: erlmcp, name: a }
    justification: accepted for the test suite
    owner: a@example.com
    approver: b@example.com
    ticket: SEC-1
    approved: "2029-06-01"
    expires: "${expires}"
`;
  const root = tempTree({ "app/a.yaml": pod("a"), "soon.yaml": waivers("2030-01-21"), "gone.yaml": waivers("2029-12-31") });
  const args = (w: string) => [join(root, "app"), "--controls", "pod-no-host-access", "--no-config", "--waivers", join(root, w)];
  // The audit date the waivers' approval and expiry are judged by.
  beforeEach(() => void (process.env.SOURCE_DATE_EPOCH = String(Date.parse("2030-01-01T00:00:00Z") / 1000)));
  afterEach(() => void delete process.env.SOURCE_DATE_EPOCH);

  it("--waiver-warn-days sets when an expiring waiver warns; an expired one fails the gate", async () => {
    const quiet = await runCli(args("soon.yaml"));
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain("expires in");
    const warned = await runCli([...args("soon.yaml"), "--waiver-warn-days", "30", "--format", "github"]);
    expect(warned.code).toBe(0);
    expect(warned.stdout).toContain("::warning file=");
    expect(warned.stdout).toContain("Waiver W1 (pod-no-host-access) expires in 20 days (2030-01-21).");
    const expired = await runCli(args("gone.yaml"));
    expect(expired.code).toBe(1);
    expect(expired.stdout).toContain("waiver W1 (pod-no-host-access) expired on 2029-12-31");
    expect((await runCli([...args("soon.yaml"), "--waiver-warn-days", "soon"])).code).toBe(2);
  });

  it("--max-file-size turns larger files into FILE_TOO_LARGE input errors (exit 2)", async () => {
    const r = await runCli([...args("soon.yaml"), "--max-file-size", "100B", "--format", "json"]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.inputErrors.map((e) => [e.code, e.hint])).toEqual([["FILE_TOO_LARGE", "split it, or raise --max-file-size"]]);
    expect((await runCli([...args("soon.yaml"), "--max-file-size", "lots"])).code).toBe(2);
  });
});
