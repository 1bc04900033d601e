/** Generated Gatekeeper templates, constraints and `gator verify` suites; the gator engine, through the real gator CLI. */
import { relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { audit } from "../../src/audit.js";
import { loadCatalog } from "../../src/catalog/load.js";
import { kindsMatchedOnlyByPodTemplate } from "../../src/catalog/match.js";
import { GatorEngine } from "../../src/engines/gator.js";
import { runTool } from "../../src/tools/run.js";
import { findTool, ToolNotFoundError } from "../../src/tools/find.js";
import { constraintKind, isGatekeeperControl, openApiSchema } from "../../src/gatekeeper/build.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { AuditUnit, K8sObject } from "../../src/types.js";
import { readFixtures, tupleKey } from "../fixture-files.js";
import { tempTree } from "../helpers/tmp.js";

const controls = loadCatalog().filter(isGatekeeperControl);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("generated Gatekeeper policies", () => {
  it("pass every gator verify suite built from the fixtures", async () => {
    const started = performance.now();
    const run = await runTool(findTool("gator"), ["verify", "policies/gatekeeper/..."], { cwd: PACKAGE_ROOT });
    console.log(`gator verify: ${controls.length} suites in ${Math.round(performance.now() - started)} ms`);
    expect(run.stdout).not.toMatch(/FAIL/);
    expect(run.code).toBe(0);
    const passed = run.stdout.match(/^ok\s+\S+\/suite\.yaml/gm) ?? [];
    expect(passed).toHaveLength(controls.length);
  }, 120_000);

  it("install one template and one dryrun constraint per object-scope control through the kustomization", async () => {
    const run = await runTool(findTool("kustomize"), ["build", "policies/gatekeeper"], { cwd: PACKAGE_ROOT });
    expect(run.stderr).toBe("");
    const objects = parseAllDocuments(run.stdout).map((d) => d.toJS() as K8sObject);
    const templates = objects.filter((o) => o.kind === "ConstraintTemplate");
    const constraints = objects.filter((o) => o.apiVersion === "constraints.gatekeeper.sh/v1beta1");
    expect(templates.map((t) => t.metadata?.name).sort()).toEqual(controls.map((c) => constraintKind(c.id).toLowerCase()).sort());
    expect(constraints.map((c) => c.metadata?.name).sort()).toEqual(controls.map((c) => c.id));
    for (const c of constraints) expect((c.spec as { enforcementAction: string }).enforcementAction).toBe("dryrun");
  });

  it("derives constraint kinds and structural parameter schemas", () => {
    expect(constraintKind("net-no-open-ingress")).toBe("ErlmcpNetNoOpenIngress");
    expect(
      openApiSchema({ type: "object", properties: { a: { type: "array", items: { type: "string" } } }, additionalProperties: false }),
    ).toEqual({ type: "object", properties: { a: { type: "array", items: { type: "string" } } } });
  });
});

describe("gator engine", () => {
  const context = (params: Record<string, unknown> = {}) => ({ paramsFor: () => params });

  function unitOf(fixturePath: string, profile = "production"): AuditUnit {
    const file = relative(PACKAGE_ROOT, fixturePath);
    const text = readFixtures(file.split("/")[1] as string).find((f) => f.path === fixturePath)?.text ?? "";
    return { id: file, kind: "files", path: file, profile, resources: parseManifestStream(text, { file }).resources };
  }

  it("reports each failing fixture's expected tuples and nothing on passing ones", async () => {
    const engine = new GatorEngine();
    const sample = ["net-no-open-ingress", "pod-no-host-access", "iam-no-escalation-verbs", "chg-gitops-pinned"];
    const chosen = controls.filter((c) => sample.includes(c.id));
    await engine.prepare(chosen);
    for (const control of chosen) {
      for (const fixture of readFixtures(control.id).filter((f) => f.profile === "production" && !Object.keys(f.params).length)) {
        const unit = unitOf(fixture.path);
        // Kinds outside match.kinds are not Gatekeeper's to judge (listed as skipped in the generated suite.yaml).
        const objects = unit.resources.map((r) => r.object);
        if (kindsMatchedOnlyByPodTemplate(control, objects).length) continue;
        const [verdict] = await engine.evaluate(unit, [control], context(control.params?.defaults));
        expect(verdict?.errors).toEqual([]);
        const actual = new Set(verdict?.violations.map((v) => tupleKey({ ...v.resource, messageId: v.messageId })));
        expect([...actual].sort(), `${control.id}/${fixture.file}`).toEqual([...new Set(fixture.expect.map(tupleKey))].sort());
      }
    }
  }, 120_000);

  it("evaluates with the unit's parameters (profile and config)", async () => {
    const control = controls.find((c) => c.id === "avl-quorum-replicas")!;
    const fixture = readFixtures(control.id).find((f) => f.file === "pass.development-two-replicas.yaml")!;
    const engine = new GatorEngine();
    await engine.prepare([control]);
    const production = await engine.evaluate(unitOf(fixture.path), [control], context(control.params?.defaults));
    expect(production[0]?.violations.length).toBeGreaterThan(0);
    const development = await engine.evaluate(unitOf(fixture.path), [control], context({ minReplicas: 1, requireOdd: false }));
    expect(development[0]?.violations).toEqual([]);
  });

  it("agrees with the Rego/wasm engine on the reference deployment (audit --engine rego --engine gator)", async () => {
    const report = await audit(["manifests/kustomize/overlays/production"], { cwd: PACKAGE_ROOT, engines: ["rego", "gator"] });
    expect(report.findings.filter((f) => f.status === "error")).toEqual([]);
    expect(report.disagreements).toEqual([]);
    expect(report.summary.exitCode).toBe(0);
  }, 120_000);

  it("reports gator failures as evaluation errors", async () => {
    const control = controls.find((c) => c.id === "net-no-open-ingress")!;
    const engine = new GatorEngine();
    await engine.prepare([control]);
    const broken: AuditUnit = {
      id: "broken",
      kind: "files",
      path: "broken.yaml",
      profile: "production",
      resources: [
        {
          ref: { apiVersion: "", kind: "NetworkPolicy", namespace: "", name: "x" },
          object: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "x" } },
          source: { file: "broken.yaml", line: 1, documentIndex: 0 },
        },
      ],
    };
    // A template gator cannot load (no CRD spec, no Rego): the run fails as a whole.
    (engine as unknown as { templates: Map<string, unknown> }).templates.set(control.id, {
      apiVersion: "templates.gatekeeper.sh/v1",
      kind: "ConstraintTemplate",
      metadata: { name: "broken" },
      spec: {},
    });
    const [verdict] = await engine.evaluate(broken, [control], context());
    expect(verdict?.errors[0]?.message).toMatch(/^gator test failed: /);
  });

  it("fails with a clear, named error when the gator binary is missing", async () => {
    const empty = tempTree({ "bin/.keep": "" });
    vi.stubEnv("ERLMCP_AUDIT_ENGINES_DIR", empty);
    vi.stubEnv("PATH", `${empty}/bin`);
    await expect(new GatorEngine().prepare(controls)).rejects.toBeInstanceOf(ToolNotFoundError);
    await expect(new GatorEngine().prepare(controls)).rejects.toThrow(/gator v3\.23\.0 was not found/);
  });
});
