import { describe, expect, it } from "vitest";
import { audit } from "../src/audit.js";
import { selectControls } from "../src/catalog/select.js";
import { UsageError } from "../src/errors.js";
import { meetsThreshold } from "../src/gate/threshold.js";
import { auditDate } from "../src/version.js";
import { loadCatalog } from "../src/catalog/load.js";
import { REPORTERS } from "../src/reporters/index.js";
import { CONFIGMAP, EDGE_SERVICE, EDGE_WAIVER, tempTree, WILDCARD_ROLE } from "./helpers/tmp.js";

/** The edge waiver, and a second one that matches nothing (to prove unused waivers are reported). */
const WAIVERS = (approved: string, expires: string) => `${EDGE_WAIVER(expires, approved)}  - id: W2
    control: iam-no-wildcards
    messageId: wildcardVerb
    match: {kind: Role, namespace: erlmcp, name: nothing-matches-this}
    justification: kept to prove unused waivers are reported
    owner: team
    approver: ciso
    ticket: SEC-2
    approved: "2026-01-01"
    expires: "2026-12-31"
`;

describe("audit", () => {
  const root = tempTree({
    "clean/cm.yaml": CONFIGMAP("settings"),
    "edge/svc.yaml": EDGE_SERVICE(),
    "edge/erlmcp-audit.config.yaml": "waivers: [erlmcp-audit.waivers.yaml]\n",
    "edge/erlmcp-audit.waivers.yaml": WAIVERS("2026-01-01", "2026-12-31"),
    "expired/svc.yaml": EDGE_SERVICE(),
    "expired/erlmcp-audit.config.yaml": "waivers: [w.yaml]\n",
    "expired/w.yaml": WAIVERS("2019-06-01", "2020-01-01"),
    "role/role.yaml": WILDCARD_ROLE,
    "role/broken.yaml": "kind: [\n",
    "profiles/erlmcp-audit.config.yaml":
      "inputs:\n  - paths: [dev]\n    profile: development\ncontrols:\n  iam-no-wildcards: {severity: low}\nprofiles:\n  development:\n    controls:\n      iam-no-wildcards: {enabled: false, reason: dev roles are scratch}\n",
    "profiles/dev/role.yaml": WILDCARD_ROLE,
    "profiles/prod/role.yaml": WILDCARD_ROLE,
    "badconfig/erlmcp-audit.config.yaml": "profle: production\n",
    "badconfig/cm.yaml": CONFIGMAP("x"),
  });
  const now = new Date("2026-11-26T00:00:00Z");

  it("passes a clean set with exit code 0 and a deterministic report", async () => {
    const a = await audit(["clean"], { cwd: root, now });
    const b = await audit(["clean"], { cwd: root, now });
    expect(a.summary).toMatchObject({ exitCode: 0, failed: 0, units: 1, resources: 1, controls: loadCatalog().length });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.inputs[0]).toMatchObject({ path: "clean/cm.yaml", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("keeps waived findings visible, reports unused waivers and passes the gate", async () => {
    const report = await audit(["edge"], { cwd: root, now });
    const edge = report.findings.filter((f) => f.controlId === "net-external-exposure");
    expect(edge).toMatchObject([
      {
        status: "waived",
        messageId: "loadBalancerService",
        waiver: { id: "W1", ticket: "SEC-1" },
        source: { file: "edge/svc.yaml", line: 1 },
      },
    ]);
    expect(report.waivers.map((w) => [w.id, w.state, w.matched])).toEqual([
      ["W1", "active", 1],
      ["W2", "active", 0],
    ]);
    expect(report.summary).toMatchObject({ exitCode: 0, waived: 1, unusedWaivers: 1 });
  });

  it("fails on an expired waiver and does not waive with it", async () => {
    const report = await audit(["expired"], { cwd: root, now });
    expect(report.findings.find((f) => f.controlId === "net-external-exposure")).toMatchObject({ status: "fail", waiver: { id: "W1" } });
    expect(report.summary).toMatchObject({ exitCode: 1, expiredWaivers: 1 });
  });

  it("ignores every waiver with disallowWaivers", async () => {
    const report = await audit(["edge"], { cwd: root, now, disallowWaivers: true });
    expect(report.findings.find((f) => f.controlId === "net-external-exposure")?.status).toBe("fail");
    expect(report.waivers).toEqual([]);
  });

  it("reports a broken file as an input error with exit 2 while auditing the rest", async () => {
    const report = await audit(["role"], { cwd: root, now });
    expect(report.inputErrors).toMatchObject([{ code: "YAML_SYNTAX", file: "role/broken.yaml" }]);
    expect(report.findings.some((f) => f.controlId === "iam-no-wildcards" && f.resource.name === "too-wide")).toBe(true);
    expect(report.summary.exitCode).toBe(2);
  });

  it("applies per-input profiles, severity overrides and disabled controls from the config", async () => {
    const report = await audit(["profiles/dev", "profiles/prod"], { cwd: root, now, config: "profiles/erlmcp-audit.config.yaml" });
    expect(report.units.map((u) => [u.id, u.profile])).toEqual([
      ["profiles/dev", "development"],
      ["profiles/prod", "production"],
    ]);
    const wildcard = report.findings.filter((f) => f.controlId === "iam-no-wildcards");
    expect(new Set(wildcard.map((f) => f.unit))).toEqual(new Set(["profiles/prod"]));
    expect(new Set(wildcard.map((f) => f.severity))).toEqual(new Set(["low"]));
    expect(report.disabledControls).toEqual([
      {
        controlId: "iam-no-wildcards",
        profile: "development",
        units: ["profiles/dev"],
        file: "profiles/erlmcp-audit.config.yaml",
        line: 9,
        reason: "dev roles are scratch",
      },
    ]);
    expect(report.summary).toMatchObject({ controls: loadCatalog().length, disabledControls: 1 });
  });

  it("gates on --fail-on: low findings do not fail a high gate", async () => {
    const report = await audit(["profiles/prod"], {
      cwd: root,
      now,
      config: "profiles/erlmcp-audit.config.yaml",
      controls: ["iam-no-wildcards"],
      failOn: "high",
    });
    expect(report.summary).toMatchObject({ failed: 2, exitCode: 0 });
  });

  it("rejects an invalid config file naming the file and the bad key", async () => {
    await expect(audit(["badconfig"], { cwd: root, now })).rejects.toThrow(/badconfig\/erlmcp-audit.config.yaml:1:1: profle: unknown key/);
  });

  it("runs only selected controls and rejects unknown ones", async () => {
    const report = await audit(["role"], { cwd: root, now, controls: ["iam-*"], skipControls: ["iam-workload-identity"] });
    expect(report.controls.map((c) => c.id)).toEqual([
      "iam-binding-integrity",
      "iam-no-escalation-verbs",
      "iam-no-privileged-bindings",
      "iam-no-wildcards",
      "iam-secret-access-scoped",
    ]);
    await expect(audit(["role"], { cwd: root, now, controls: ["nope-*"] })).rejects.toThrow(UsageError);
  });

  it("reports engine agreement per control, and names the controls where engines disagree", async () => {
    const report = await audit(["role"], { cwd: root, now, controls: ["iam-*"] });
    expect(report.controls.find((c) => c.id === "iam-no-wildcards")?.results[0]?.engines).toEqual(["rego", "typescript"]);
    expect(REPORTERS.text(report, { verbose: true })).toContain(
      "engines agree on 6 of 6 controls judged by more than one engine (rego, typescript)",
    );
    const disputed = {
      ...report,
      tool: { ...report.tool, engines: [...report.tool.engines, "gator" as const] },
      disagreements: [
        {
          controlId: "iam-no-wildcards",
          unit: "role",
          resource: report.findings[0]!.resource,
          messageId: "wildcardVerb",
          reportedBy: ["rego" as const],
          missedBy: ["gator" as const],
        },
      ],
    };
    const text = REPORTERS.text(disputed, { verbose: true });
    expect(text).toContain("engines agree on 5 of 6 controls");
    expect(text).toContain("iam-no-wildcards: rego, typescript — 1 disagreements");
    expect(text).toContain("iam-binding-integrity: rego = typescript");
  });

  it("embeds the network reachability model per unit", async () => {
    const report = await audit(["edge"], { cwd: root, now });
    expect(report.network.edge).toMatchObject({ workloads: [], policies: [], flows: [] });
  });
});

describe("helpers", () => {
  it("reads SOURCE_DATE_EPOCH for the audit date", () => {
    expect(auditDate({ SOURCE_DATE_EPOCH: "1700000000" }).toISOString()).toBe("2023-11-14T22:13:20.000Z");
  });
  it("orders severities for the gate", () => {
    expect([meetsThreshold("critical", "high"), meetsThreshold("medium", "high"), meetsThreshold("low", "low")]).toEqual([
      true,
      false,
      true,
    ]);
  });
  it("selects controls by glob", () => {
    expect(selectControls(loadCatalog(), ["tls-*"]).map((c) => c.id)).toEqual(["tls-dist-cert-names", "tls-erlang-dist", "tls-ingress"]);
  });
});
