/**
 * One run, said exactly: the configuration that shaped it (parameters, severity, scopes), who produced
 * the package (CI run, command line, signer) and what it does not show.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormatsImport from "ajv-formats";
import { describe, expect, it } from "vitest";
import { runIdentity } from "../../src/evidence/custody.js";
import { publicKeySha256 } from "../../src/evidence/package.js";
import type { Evidence } from "../../src/evidence/model.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

describe("the CI run identity", () => {
  it("reads GitHub Actions, GitLab CI and the generic variables, and nothing outside CI", () => {
    expect(
      runIdentity({
        GITHUB_ACTIONS: "true",
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "acme/deploy",
        GITHUB_RUN_ID: "42",
        GITHUB_RUN_ATTEMPT: "2",
        GITHUB_ACTOR: "octocat",
        GITHUB_WORKFLOW: "gate",
        GITHUB_REF: "refs/heads/main",
        GITHUB_SHA: "abc123",
      }),
    ).toEqual({
      system: "github-actions",
      url: "https://github.com/acme/deploy/actions/runs/42/attempts/2",
      actor: "octocat",
      workflow: "gate",
      runId: "42",
      ref: "refs/heads/main",
      commit: "abc123",
    });
    expect(
      runIdentity({
        GITLAB_CI: "true",
        CI_JOB_URL: "https://gitlab.example/acme/deploy/-/jobs/7",
        GITLAB_USER_LOGIN: "dev",
        CI_COMMIT_SHA: "def",
      }),
    ).toEqual({ system: "gitlab-ci", url: "https://gitlab.example/acme/deploy/-/jobs/7", actor: "dev", commit: "def" });
    expect(runIdentity({ ERLMCP_AUDIT_RUN_URL: "https://ci.example/run/9", ERLMCP_AUDIT_RUN_ACTOR: "release-bot" })).toEqual({
      system: "generic",
      url: "https://ci.example/run/9",
      actor: "release-bot",
    });
    expect(runIdentity({})).toBeUndefined();
  });

  it("keeps control characters of the environment out of the record", () => {
    expect(runIdentity({ ERLMCP_AUDIT_RUN_ACTOR: "evil\u001b[31m\nactor" })?.actor).toBe("evil[31mactor");
  });
});

const DEPLOYMENT = (name: string, ns: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 3
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - {name: app, image: "nginx:1.27"}
`;

describe("the evidence of one run", () => {
  const root = tempTree({
    "erlmcp-audit.config.yaml": `scopes:
  production:
    description: The production cluster
    paths: [prod]
  staging:
    paths: [staging]
controls:
  res-requests-limits:
    severity: low
`,
    "prod/app.yaml": DEPLOYMENT("shop", "prod"),
    "prod/config.yaml": CONFIGMAP("settings", "prod"),
    "staging/app.yaml": DEPLOYMENT("shop", "staging"),
    "tools/app.yaml": DEPLOYMENT("tool", "tools"),
  });
  const keys = generateKeyPairSync("ed25519");
  const privatePem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();

  const evidence = async (extra: string[]) => {
    const out = join(root, `out-${extra.length}`);
    const args = [
      "evidence",
      join(root, "prod"),
      join(root, "staging"),
      join(root, "tools"),
      "--out",
      out,
      "--config",
      join(root, "erlmcp-audit.config.yaml"),
      ...extra,
    ];
    const run = await runCli(args);
    expect(run.stderr).toBe("");
    return { args, out, e: JSON.parse(readFileSync(join(out, "evidence.json"), "utf8")) as Evidence };
  };

  it("records the command line, the signer's key and the scopes with their population", async () => {
    const keyFile = join(root, "key.pem");
    (await import("node:fs")).writeFileSync(keyFile, privatePem);
    const { args, out, e } = await evidence(["--sign-key", keyFile]);
    expect(e.run.commandLine).toEqual(args);
    expect(e.run.signer).toEqual({ algorithm: "Ed25519", publicKeySha256: publicKeySha256(keys.publicKey) });
    const production = e.scope.scopes.find((s) => s.name === "production")!;
    expect(production).toMatchObject({ description: "The production cluster", files: 2, resources: 2, distinctResources: 2 });
    expect(production.units).toHaveLength(1);
    expect(e.scope.scopes.find((s) => s.name === "staging")).toMatchObject({ files: 1, resources: 1 });
    expect(e.scope.unscopedUnits).toHaveLength(1);
    expect(e.units.find((u) => u.path.endsWith("tools"))?.scopes).toEqual([]);
    expect(e.statements.population).toMatch(/^100% of the population was tested, no sampling/);
    expect(e.statements.limitations.join(" ")).toMatch(/do not observe the running cluster/);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain(publicKeySha256(keys.publicKey));
    const ajv = addFormats(new Ajv({ unicodeRegExp: true, strict: false, allErrors: true }));
    const validate = ajv.compile(JSON.parse(readFileSync("test/schemas/oscal_complete_schema-1.1.3.json", "utf8")));
    const oscal = JSON.parse(readFileSync(join(out, "assessment-results.json"), "utf8"));
    expect(validate(oscal), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const props = oscal["assessment-results"].results[0].props as Array<{ name: string; value: string }>;
    expect(props).toContainEqual(expect.objectContaining({ name: "signer-public-key-sha256", value: publicKeySha256(keys.publicKey) }));
    expect(props.find((p) => p.name === "command-line")?.value).toContain("evidence");
  });

  it("gives every control's effective severity and parameters, and counts a set-level control's own kinds only", async () => {
    const { e, out } = await evidence([]);
    expect(e.run.signer).toBeUndefined();
    expect(readFileSync(join(out, "report.html"), "utf8")).toMatch(/unsigned/i);
    const requests = e.controls.find((c) => c.id === "res-requests-limits")!;
    expect(requests.parameters).toEqual([expect.objectContaining({ profile: "production", severity: "low", units: expect.any(Array) })]);
    const quorum = e.controls.find((c) => c.id === "avl-quorum-replicas")!;
    expect(quorum.parameters[0]!.params).toMatchObject({ minReplicas: expect.any(Number) });
    // A set-scope control judges the whole set but evaluates only the resources of its kinds: the ConfigMap is not counted.
    const defaultDeny = e.controls.find((c) => c.id === "net-default-deny")!;
    expect(defaultDeny.evaluated).toBe(3);
  });
});
