import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { unusedReason, type CoverageOfRun } from "../../src/waivers/unused.js";
import type { Waiver } from "../../src/waivers/types.js";
import { runCli } from "../helpers/cli.js";
import { tempTree } from "../helpers/tmp.js";

const pod = (name: string, hostNetwork: boolean) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: erlmcp
spec:
  hostNetwork: ${hostNetwork}
  containers:
    - name: shell
      image: busybox:1.36
`;

const WAIVERS = `apiVersion: erlmcp-audit/v1
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
    expires: "2030-05-01"
`;

describe("an unused waiver says 'remove it' only when the run could have matched it", () => {
  const root = tempTree({
    "fixed/a.yaml": pod("a", false),
    "other/b.yaml": pod("b", true),
    "broken/a.yaml": pod("a", false),
    "broken/bad.yaml": "a: [\n",
    "waivers.yaml": WAIVERS,
  });
  beforeEach(() => void (process.env.SOURCE_DATE_EPOCH = String(Date.parse("2030-01-01T00:00:00Z") / 1000)));
  afterEach(() => void delete process.env.SOURCE_DATE_EPOCH);

  const unused = async (dir: string, ...extra: string[]) => {
    const args = [join(root, dir), "--no-config", "--waivers", join(root, "waivers.yaml"), ...extra];
    const json = JSON.parse((await runCli([...args, "-f", "json"])).stdout) as AuditReport;
    const text = (await runCli(args)).stdout;
    return { waiver: json.waivers[0]!, text };
  };

  it("its control ran on the object it names, every input loaded: remove it", async () => {
    const { waiver, text } = await unused("fixed", "--controls", "pod-no-host-access");
    expect(waiver).toMatchObject({ matched: 0, unused: { reason: "fixed", advice: "remove it" } });
    expect(text).toContain("waiver W1 (pod-no-host-access) matched nothing: remove it (");
  });

  it("its control was not selected: keep it", async () => {
    const { waiver, text } = await unused("fixed", "--controls", "pod-readonly-rootfs");
    expect(waiver.unused?.reason).toBe("notSelected");
    expect(text).toContain("matched nothing: its control was not run (not selected by --controls/--skip-controls)");
    expect(text).not.toContain("remove it");
  });

  it("an input failed to load: keep it", async () => {
    const { waiver } = await unused("broken", "--controls", "pod-no-host-access");
    expect(waiver.unused).toMatchObject({ reason: "inputError", advice: expect.stringMatching(/^1 input error .*keep it$/) });
  });

  it("the object it names was not audited: audit its input", async () => {
    const { waiver } = await unused("other", "--controls", "pod-no-host-access");
    expect(waiver.unused).toMatchObject({ reason: "noObject", advice: expect.stringContaining("no audited object is Pod erlmcp/a") });
  });
});

describe("unusedReason", () => {
  const waiver = { control: "c1", match: { kind: "Pod", namespace: "ns", name: "a" } } as Waiver;
  const object = { apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "ns" } };
  const unit = (id: string, profile = "production") => ({
    id,
    profile,
    resources: [{ ref: { apiVersion: "v1", kind: "Pod", namespace: "ns", name: "a" }, object }],
  });
  const run = (over: Partial<CoverageOfRun> = {}): CoverageOfRun => ({
    selected: new Set(["c1"]),
    units: [unit("u1"), unit("u2", "development")],
    runs: [
      { controlId: "c1", unit: "u1" },
      { controlId: "c1", unit: "u2" },
    ],
    disabled: [],
    evaluationErrors: [],
    inputErrors: 0,
    ...over,
  });

  it("names the config line that disabled the control in some units", () => {
    const r = unusedReason(
      waiver,
      run({ runs: [{ controlId: "c1", unit: "u1" }], disabled: [{ controlId: "c1", profile: "development", file: "c.yaml", line: 7 }] }),
    );
    expect(r).toEqual({ reason: "disabled", advice: expect.stringContaining("disabled by config (c.yaml:7) in 1 of 2 units") });
  });

  it("names the units the control did not run in, or failed in", () => {
    expect(unusedReason(waiver, run({ runs: [{ controlId: "c1", unit: "u1" }] }))).toMatchObject({
      reason: "notRun",
      advice: expect.stringContaining("did not run in u2"),
    });
    expect(unusedReason(waiver, run({ evaluationErrors: [{ controlId: "c1", unit: "u2" }] }))).toMatchObject({ reason: "evaluationError" });
    expect(unusedReason(waiver, run())).toEqual({ reason: "fixed", advice: "remove it" });
  });
});
