/** The kyverno engine and the `kyverno test` suites, through the real kyverno CLI. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { audit } from "../../src/audit.js";
import { loadCatalog } from "../../src/catalog/load.js";
import { KyvernoEngine, messageIdsOf, parseReports } from "../../src/engines/kyverno.js";
import { findTool, ToolNotFoundError } from "../../src/tools/find.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../../src/paths.js";
import { deploymentYaml, PINNED_IMAGE, tempTree } from "../helpers/tmp.js";

const controls = loadCatalog().filter((c) => c.engines.includes("kyverno"));

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("kyverno test suites", () => {
  it("pass with the pinned kyverno CLI", async () => {
    const { stdout } = await promisify(execFile)(findTool("kyverno"), ["test", join(POLICIES_DIR, "kyverno", "tests"), "--remove-color"], {
      maxBuffer: 64 * 1024 * 1024,
    });
    // execFile rejects on a non-zero exit (any failed test); the summary counts every expected result.
    const [, passed, failed] = /Test Summary: (\d+) tests passed and (\d+) tests failed/.exec(stdout) ?? [];
    expect(failed).toBe("0");
    expect(Number(passed)).toBeGreaterThanOrEqual(controls.length * 3);
  });
});

describe("kyverno policies", () => {
  it.each(controls.map((c) => [c.id, c] as const))("%s: named by its ID, Audit, production parameters as variables", (_id, control) => {
    const policy = parse(readFileSync(join(control.dir, "kyverno.yaml"), "utf8")) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: { validationActions: string[]; variables?: Array<{ name: string; expression: string }> };
    };
    expect([policy.apiVersion, policy.kind, policy.metadata.name]).toEqual(["policies.kyverno.io/v1", "ValidatingPolicy", control.id]);
    expect(policy.spec.validationActions).toEqual(["Audit"]);
    const variables = new Map((policy.spec.variables ?? []).map((v) => [v.name, v.expression.trim()]));
    for (const [name, value] of Object.entries(control.params?.defaults ?? {})) {
      expect(variables.get(name), `variable ${name}`).toBe(JSON.stringify(value));
    }
    const text = readFileSync(join(control.dir, "kyverno.yaml"), "utf8");
    for (const messageId of Object.keys(control.messages)) expect(text, messageId).toContain(`[${messageId}]`);
  });
});

describe("kyverno engine", () => {
  it("parses `---`-separated JSON reports and every [messageId] of a message", () => {
    const stream = `{"results":[{"policy":"a","result":"fail","message":"[x] one; [y] two"}]}\n---\n{"results":[{"policy":"b","result":"pass"}]}\n`;
    expect(parseReports(stream).map((r) => r.policy)).toEqual(["a", "b"]);
    expect(messageIdsOf("[x] one [not] this; [y] two; [x] again")).toEqual(["x", "y"]);
  });

  it("reports the violations of an audit run with --engine kyverno, with duplicate names kept apart", async () => {
    const service = (name: string, type: string) =>
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: erlmcp}\nspec: {type: ${type}, externalIPs: [198.51.100.7]}\n`;
    const root = tempTree({
      "a/svc.yaml": `${service("edge", "NodePort")}---\n${service("internal", "ClusterIP")}`,
      "b/svc.yaml": service("edge", "LoadBalancer"),
    });
    const report = await audit([join(root, "a"), join(root, "b")], {
      engines: ["kyverno"],
      controls: ["net-external-exposure"],
      config: false,
      cwd: root,
    });
    const tuples = report.findings
      .map((f) => `${f.unit.split("/").pop()} ${f.resource.name} ${f.messageId} ${f.engine} ${f.status}`)
      .sort();
    expect(tuples).toEqual([
      "a edge externalIps kyverno fail",
      "a edge nodePortService kyverno fail",
      "a internal externalIps kyverno fail",
      "b edge externalIps kyverno fail",
      "b edge loadBalancerService kyverno fail",
    ]);
  });

  it("gives no verdict on a clause Kyverno cannot evaluate (a missing namespace) and still judges the rest", async () => {
    const root = tempTree({
      "svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: loose}\nspec: {ports: [{port: 80}]}\n",
      "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, namespace: default}\n",
    });
    const report = await audit([root], { engines: ["rego", "kyverno"], controls: ["pod-namespace-placement"], config: false, cwd: root });
    const tuples = report.findings
      .map((f) => `${f.resource.kind}/${f.resource.namespace}/${f.resource.name} ${f.messageId} ${f.engine}`)
      .sort();
    // kyverno would see the Service in `default`; it reports nothing on it rather than a wrong reservedNamespace.
    expect(tuples).toEqual(["ConfigMap/default/shared reservedNamespace rego", "Service//loose namespaceMissing rego"]);
    expect(report.disagreements.map((d) => `${d.resource.name} ${d.messageId} missed by ${d.missedBy.join(",")}`)).toEqual([
      "loose namespaceMissing missed by kyverno",
    ]);
  });

  it("does not count objects its policy never receives as missed: a custom resource's pod template", async () => {
    const root = tempTree({
      "cr.yaml": readFileSync(join(PACKAGE_ROOT, "fixtures", "pod-no-host-access", "fail.custom-resource.yaml"), "utf8"),
      "deploy.yaml": deploymentYaml("web", "shop", ["hostNetwork: true", `containers: [{name: web, image: "${PINNED_IMAGE}"}]`]),
    });
    const report = await audit([root], { engines: ["rego", "kyverno"], controls: ["pod-no-host-access"], config: false, cwd: root });
    const failing = report.findings.filter((f) => f.status === "fail");
    expect(failing.filter((f) => f.resource.kind === "Deployment").map((f) => `${f.messageId} ${f.engine}`)).toEqual([
      "hostNamespace rego",
    ]);
    const custom = failing.filter((f) => f.resource.kind !== "Deployment");
    expect(custom.length).toBeGreaterThan(0);
    expect(new Set(custom.map((f) => f.engine))).toEqual(new Set(["rego"]));
    expect(report.disagreements).toEqual([]);
  });

  // The whole of manifests/ takes the CLI ~90 s (12 units); the standalone set holds every kind the policies match.
  it("agrees with rego and typescript on the reference deployment", async () => {
    const report = await audit([join(PACKAGE_ROOT, "manifests", "standalone")], {
      engines: ["rego", "typescript", "kyverno"],
      cwd: PACKAGE_ROOT,
    });
    expect(report.disagreements).toEqual([]);
    expect(report.findings.filter((f) => f.status === "error")).toEqual([]);
    expect(report.summary.exitCode).toBe(0);
  }, 180_000);

  it("fails with a clear, named error when the kyverno binary is missing", async () => {
    const empty = tempTree({ "bin/.keep": "" });
    vi.stubEnv("ERLMCP_AUDIT_ENGINES_DIR", empty);
    vi.stubEnv("PATH", join(empty, "bin"));
    await expect(new KyvernoEngine().prepare(controls)).rejects.toBeInstanceOf(ToolNotFoundError);
    await expect(new KyvernoEngine().prepare(controls)).rejects.toThrow(/kyverno v1\.19\.0 was not found/);
  });
});
