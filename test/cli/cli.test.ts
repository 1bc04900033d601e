import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import addFormats from "ajv-formats";
import AjvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import { buildProgram } from "../../src/cli/main.js";
import { pairOutputs } from "../../src/cli/outputs.js";
import { createProgress } from "../../src/cli/progress.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

async function cli(argv: string[], cwd: string) {
  let stdout = "";
  let stderr = "";
  let exitCode = 0;
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    await buildProgram(argv, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      setExit: (c) => void (exitCode = c),
    }).parseAsync(argv, {
      from: "user",
    });
  } catch (error) {
    const e = error as { code?: string; exitCode?: number };
    exitCode = e.code?.startsWith("commander.") ? (e.exitCode ?? 2) : 2;
    if (!e.code?.startsWith("commander.")) stderr += String(error);
  } finally {
    process.chdir(previous);
  }
  return { stdout, stderr, exitCode };
}

const PRIVILEGED = `# a privileged pod
apiVersion: v1
kind: Pod
metadata: {name: root, namespace: erlmcp}
spec:
  containers:
    - name: c
      image: busybox
      securityContext: {privileged: true}
`;

describe("erlmcp-audit CLI", () => {
  const root = tempTree({
    "clean/cm.yaml": CONFIGMAP("settings"),
    "bad/pod.yaml": PRIVILEGED,
    "mixed/pod.yaml": PRIVILEGED,
    "mixed/broken.yaml": "a: [\n",
  });

  it("exits 0 on a clean set with a PASS line", async () => {
    const r = await cli(["clean", "--no-config"], root);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^PASS 0 failing/m);
  });

  it("exits 1 with findings by severity, each at file:line:col with its resource", async () => {
    const r = await cli(["bad", "--no-config"], root);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^CRITICAL: \d+ findings?$/m);
    expect(r.stdout).toMatch(/^ {2}bad\/pod\.yaml:\d+(:\d+)? {2}CRITICAL {2}pod-no-host-access {2}.*\n {6}Pod erlmcp\/root · /m);
  });

  it("exits 2 on an input error but still reports the readable files", async () => {
    const r = await cli(["mixed", "--no-config"], root);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain("mixed/broken.yaml:1:5: Flow sequence");
    expect(r.stdout).toMatch(/^ {2}mixed\/pod\.yaml:\d+(:\d+)? {2}CRITICAL {2}pod-no-host-access {2}.*\n {6}Pod erlmcp\/root · /m);
  });

  it("writes several formats in one run, creating folders; SARIF is valid 2.1.0", async () => {
    const r = await cli(
      ["bad", "--no-config", "-f", "json", "-o", "out/a/report.json", "--format", "sarif", "--output", "out/b/report.sarif", "-f", "text"],
      root,
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("pod-no-host-access");
    const report = JSON.parse(readFileSync(join(root, "out/a/report.json"), "utf8"));
    expect(report.schemaVersion).toBe("1.0.0");
    const sarif = JSON.parse(readFileSync(join(root, "out/b/report.sarif"), "utf8"));
    const ajv = new AjvDraft04.default({ strict: false, allErrors: true });
    (addFormats as unknown as (a: unknown) => void)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(__dirname, "../schemas/sarif-schema-2.1.0.json"), "utf8")));
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const result = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === "pod-no-host-access");
    // The line of `privileged: true`, with the object's lines (2-9) as context.
    expect(result.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "bad/pod.yaml" },
      region: { startLine: 9, startColumn: 25 },
      contextRegion: { startLine: 2, endLine: 9 },
    });
    const rule = sarif.runs[0].tool.driver.rules[result.ruleIndex];
    expect(rule.id).toBe("pod-no-host-access");
    expect(rule.properties.tags).toContain("iso27001/A.8.2");
  });

  it("refuses two formats on stdout and unknown formats", async () => {
    expect((await cli(["bad", "-f", "json", "-f", "sarif"], root)).exitCode).toBe(2);
    expect(() => pairOutputs(["-f", "xml"])).toThrow(/Unknown format 'xml'/);
    expect(pairOutputs(["--format=sarif", "--output=x.sarif"])).toEqual([{ format: "sarif", file: "x.sarif" }]);
    expect(pairOutputs([])).toEqual([{ format: "text" }]);
  });

  it("lists the controls", async () => {
    const r = await cli(["controls"], root);
    expect(r.stdout.trim().split("\n")).toHaveLength(loadCatalog().length);
    expect(r.stdout).toMatch(/^net-default-deny\s+high\s+set/m);
  });

  it("documents exit codes in --help", async () => {
    const r = await cli(["--help"], root);
    expect(r.stdout).toContain("Exit codes:");
    expect(r.exitCode).toBe(0);
  });

  it("fails with exit 2 and a clear message on a missing path", async () => {
    const r = await cli(["does-not-exist", "--no-config"], root);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain("does-not-exist: no such file or directory");
    expect(existsSync(join(root, "does-not-exist"))).toBe(false);
  });
});

describe("progress", () => {
  it("draws only when enabled and clears the line at the end", () => {
    let out = "";
    const on = createProgress({ enabled: true, delayMs: 0, write: (s) => void (out += s) });
    on.update({ phase: "load", label: "x", index: 0, total: 2 });
    on.done();
    expect(out).toContain("load 1/2 x");
    let off = "";
    const quiet = createProgress({ enabled: false, write: (s) => void (off += s) });
    quiet.update({ phase: "load", label: "x", index: 0, total: 2 });
    quiet.done();
    expect(off).toBe("");
  });
});
