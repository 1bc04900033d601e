/** The trivy engine through the real trivy binary: third-party evidence mapped to our controls, never merged into findings. */
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { audit } from "../../src/audit.js";
import { ToolNotFoundError } from "../../src/tools/find.js";
import { TrivyScanner } from "../../src/thirdparty/trivy.js";
import { normalizeCheckId, trivyMappings, trivyMappingsOf } from "../../src/catalog/third-party.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { tempTree } from "../helpers/tmp.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("trivy check IDs", () => {
  it("normalise every spelling to one form", () => {
    expect(["KSV-0001", "KSV001", "AVD-KSV-0001", "ksv-0001"].map(normalizeCheckId)).toEqual(Array(4).fill("KSV001"));
    expect(normalizeCheckId("KSV-0109")).toBe("KSV109");
    expect(normalizeCheckId("AVD-KSV-01010")).toBe("KSV01010");
  });

  it("map only to controls that exist", async () => {
    const { controlIds } = await import("../../src/catalog/load.js");
    const ids = new Set(controlIds());
    for (const [check, m] of Object.entries(trivyMappings())) {
      expect(normalizeCheckId(check), check).toBe(check);
      expect(m.relation === "none" ? m.control : ids.has(m.control ?? ""), check).toBe(m.relation === "none" ? undefined : true);
    }
  });

  it("come from control.yaml (same/partial) and policies/_thirdparty/trivy.yaml (none)", () => {
    expect(trivyMappings().KSV017).toEqual({
      title: "Privileged",
      control: "pod-no-host-access",
      relation: "same",
      rationale: "`privileged: true` clause.",
    });
    expect(trivyMappings().KSV011).toMatchObject({ title: "CPU not limited", relation: "none" });
    expect(trivyMappings().KSV011).not.toHaveProperty("control");
  });

  it("reject a check mapped twice or written unnormalised", () => {
    const overlap = { check: "KSV017", title: "Privileged", relation: "same" as const, rationale: "A clause." };
    const a = { id: "pod-a", thirdParty: { trivy: [overlap] } };
    expect(() => trivyMappingsOf([a, { ...a, id: "pod-b" }], [])).toThrow(/pod-b\/control.yaml: check KSV017 is already mapped \(pod-a\)/);
    expect(() => trivyMappingsOf([a], [{ check: "KSV017", title: "t", rationale: "r" }])).toThrow(/_thirdparty\/trivy.yaml: check KSV017/);
    expect(() => trivyMappingsOf([], [{ check: "KSV0017", title: "t", rationale: "r" }])).toThrow(/not normalised \(KSV017\)/);
  });
});

describe("trivy engine", () => {
  it("maps a privileged container (KSV017) to pod-no-host-access, beside our own finding", async () => {
    const report = await audit(["fixtures/pod-no-host-access/fail.privileged.yaml"], {
      cwd: PACKAGE_ROOT,
      engines: ["rego", "trivy"],
      controls: ["pod-no-host-access"],
      config: false,
    });
    const ksv017 = report.thirdParty?.find((r) => r.checkId === "KSV017");
    expect(ksv017).toMatchObject({
      engine: "trivy",
      mappedControl: "pod-no-host-access",
      resource: { kind: "DaemonSet", name: "node-agent" },
      file: "fixtures/pod-no-host-access/fail.privileged.yaml",
    });
    // Trivy's results stay out of the findings: these come from our engines only.
    expect(report.findings.map((f) => `${f.engine} ${f.controlId} ${f.messageId}`)).toEqual([
      "rego pod-no-host-access privilegedContainer",
    ]);
  }, 120_000);

  it("scans the reference deployment: no Trivy check that tests a clause of our controls fails there", async () => {
    const report = await audit(["manifests/"], { cwd: PACKAGE_ROOT, engines: ["rego", "trivy"] });
    expect(report.summary.exitCode).toBe(0);
    const results = report.thirdParty ?? [];
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.unit))).toEqual(new Set(report.units.map((u) => u.id)));
    const same = results.filter((r) => r.mappedControl && trivyMappings()[r.checkId]?.relation === "same");
    expect(same.map((r) => `${r.checkId} ${r.unit} ${r.resource.kind}/${r.resource.name}`)).toEqual([]);
  }, 300_000);

  it("fails with a clear, named error when the trivy binary is missing", async () => {
    const empty = tempTree({ "bin/.keep": "" });
    vi.stubEnv("ERLMCP_AUDIT_ENGINES_DIR", empty);
    vi.stubEnv("PATH", join(empty, "bin"));
    await expect(new TrivyScanner().prepare()).rejects.toBeInstanceOf(ToolNotFoundError);
    await expect(audit(["manifests/"], { cwd: PACKAGE_ROOT, engines: ["trivy"] })).rejects.toThrow(/trivy v0\.74\.0 was not found/);
  });
});
