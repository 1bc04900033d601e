/**
 * The CI integrations, run as far as they can run here: the action's shell steps (with a fake
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY), the GitLab job's script and the pre-commit hook, all with the
 * built CLI (dist/, built by `npm ci`/`npm run build`) against fixtures.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseJunit, type TestSuites } from "junit2json";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { tempTree } from "../helpers/tmp.js";

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(PACKAGE_ROOT, "action.yml"), "utf8")) as Action;
const FAILING_POD =
  "apiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: erlmcp}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: busybox:1.36}]\n";

beforeAll(() => {
  if (!existsSync(join(PACKAGE_ROOT, "dist/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` first");
});

/** Evaluates the few expression forms the action's env uses. */
function expand(value: string, inputs: Record<string, string>, outputs: Record<string, Record<string, string>>): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    if (expr === "github.action_path") return PACKAGE_ROOT;
    const input = /^inputs\.([\w-]+)$/.exec(expr);
    if (input) return inputs[input[1]!] ?? action.inputs[input[1]!]?.default ?? "";
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
    if (output) return outputs[output[1]!]?.[output[2]!] ?? "";
    throw new Error(`unsupported expression in action.yml: ${expr}`);
  });
}

function runStep(step: Step, cwd: string, inputs: Record<string, string>, outputs: Record<string, Record<string, string>>) {
  const githubOutput = join(cwd, `output-${step.id}`);
  writeFileSync(githubOutput, "");
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, inputs, outputs)]));
  const r = spawnSync("bash", ["-eo", "pipefail", "-c", step.run!], {
    cwd,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.ERLMCP_AUDIT_ENGINES_DIR ? { ERLMCP_AUDIT_ENGINES_DIR: process.env.ERLMCP_AUDIT_ENGINES_DIR } : {}),
      ...env,
      GITHUB_OUTPUT: githubOutput,
      GITHUB_STEP_SUMMARY: join(cwd, "summary.md"),
    },
  });
  outputs[step.id!] = Object.fromEntries(
    readFileSync(githubOutput, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("=", 2) as [string, string]),
  );
  return r;
}

describe("action.yml", () => {
  const step = (id: string) => action.runs.steps.find((s) => s.id === id)!;

  it("is a composite action that passes inputs to scripts only through env and uploads SARIF", () => {
    expect(action.runs.using).toBe("composite");
    for (const s of action.runs.steps.filter((x) => x.run)) expect(s.run, s.id).not.toContain("${{");
    expect(action.runs.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))).toBeDefined();
    const upload = action.runs.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
    expect(upload.with?.sarif_file).toBe("${{ inputs.sarif-file }}");
    expect(upload.if).toContain("always()");
    expect(action.outputs["exit-code"]!.value).toBe("${{ steps.audit.outputs.exit-code }}");
  });

  it.each([
    ["a failing manifest", "bad", 1],
    ["a broken file beside it", "bad broken", 2],
  ])("audit + gate steps on %s: annotations, SARIF, job summary, exit %i", async (_, paths, expected) => {
    const cwd = tempTree({ "bad/pod.yaml": FAILING_POD, "broken/x.yaml": "a: [\n" });
    const inputs = { paths, "sarif-file": "out/audit.sarif", "markdown-file": "out/audit.md" };
    const outputs: Record<string, Record<string, string>> = {};
    const audit = runStep(step("audit"), cwd, inputs, outputs);
    expect(audit.status, audit.stderr).toBe(0);
    expect(outputs.audit).toEqual({ "exit-code": String(expected) });
    // The annotation lands on the line to change: `hostNetwork: true`, line 5, column 3.
    expect(audit.stdout).toContain("::error file=bad/pod.yaml,line=5,col=3,title=pod-no-host-access (critical)::");
    const sarif = JSON.parse(readFileSync(join(cwd, "out/audit.sarif"), "utf8")) as { version: string };
    expect(sarif.version).toBe("2.1.0");
    expect(readFileSync(join(cwd, "summary.md"), "utf8")).toBe(readFileSync(join(cwd, "out/audit.md"), "utf8"));
    expect(readFileSync(join(cwd, "summary.md"), "utf8")).toMatch(/^## (❌|⚠️) erlmcp-audit: (FAIL|ERROR)/);
    const gate = runStep(step("gate"), cwd, inputs, outputs);
    expect(gate.status).toBe(expected);
  });

  it("passes the gate on the reference deployment with a fail-on threshold", () => {
    const cwd = tempTree({});
    const outputs: Record<string, Record<string, string>> = {};
    const inputs = { paths: resolve(PACKAGE_ROOT, "manifests/standalone"), "fail-on": "high" };
    const audit = runStep(step("audit"), cwd, inputs, outputs);
    expect(outputs.audit, audit.stderr).toEqual({ "exit-code": "0" });
    expect(readFileSync(join(cwd, "summary.md"), "utf8")).toMatch(/^## ✅ erlmcp-audit: PASS/);
    expect(runStep(step("gate"), cwd, inputs, outputs).status).toBe(0);
  });
});

describe("ci/gitlab-ci.yml", () => {
  const template = parse(readFileSync(join(PACKAGE_ROOT, "ci/gitlab-ci.yml"), "utf8")) as {
    variables: Record<string, string>;
    "erlmcp-audit": { script: string[]; artifacts: { when: string; reports: { junit: string; codequality: string } } };
  };

  it("runs its script, producing the JUnit and Code Quality reports it declares", async () => {
    const cwd = tempTree({ "bad/pod.yaml": FAILING_POD });
    const job = template["erlmcp-audit"];
    expect(job.artifacts.when).toBe("always");
    const env = { ...template.variables, ERLMCP_AUDIT: `node ${join(PACKAGE_ROOT, "bin/erlmcp-audit.js")}`, ERLMCP_AUDIT_PATHS: "bad" };
    let status: number | null = 0;
    for (const line of job.script) {
      const r = spawnSync("bash", ["-c", line], { cwd, encoding: "utf8", env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
      status = r.status;
      if (status !== 0) break;
    }
    expect(status).toBe(1);
    const junit = (await parseJunit(readFileSync(join(cwd, job.artifacts.reports.junit), "utf8"))) as TestSuites;
    expect(junit.failures).toBeGreaterThan(0);
    const issues = JSON.parse(readFileSync(join(cwd, job.artifacts.reports.codequality), "utf8")) as Array<Record<string, unknown>>;
    expect(issues.find((i) => i.check_name === "pod-no-host-access")).toMatchObject({
      severity: "blocker",
      location: { path: "bad/pod.yaml", lines: { begin: 5 } }, // `hostNetwork: true`
    });
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
  });
});

describe(".pre-commit-hooks.yaml", () => {
  const hooks = parse(readFileSync(join(PACKAGE_ROOT, ".pre-commit-hooks.yaml"), "utf8")) as Array<{
    id: string;
    entry: string;
    language: string;
    pass_filenames: boolean;
    args: string[];
  }>;
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };

  it("runs the package's own bin on the whole tree and blocks a failing commit", () => {
    const [hook] = hooks;
    expect(hook).toMatchObject({ id: "erlmcp-audit", language: "node", pass_filenames: false });
    const bin = pkg.bin[hook!.entry];
    expect(bin).toBeDefined();
    const cwd = tempTree({ "k8s/pod.yaml": FAILING_POD });
    const r = spawnSync("node", [join(PACKAGE_ROOT, bin!), ...hook!.args], { cwd, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^ {2}k8s\/pod\.yaml:\d+(:\d+)? {2}CRITICAL {2}pod-no-host-access {2}.*\n {6}Pod erlmcp\/debug · /m);
  });
});
