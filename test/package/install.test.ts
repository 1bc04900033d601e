/**
 * What a user does: `npm pack`, install the tarball into an empty project, run `npx erlmcp-audit`.
 * Plain YAML needs no Go and no engines; a chart without helm says how to get it from the installed
 * package; the installed package ships the reference deployment, `init` and the engine installer.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = join(__dirname, "../..");
/** npm's bin folder: the one bundled with this Node, else the npm on PATH (Node from the npm `node` package has none). */
function npmBin(): string {
  const bundled = join(dirname(dirname(process.execPath)), "lib/node_modules/npm/bin");
  if (existsSync(join(bundled, "npm-cli.js"))) return bundled;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const npm = join(dir, "npm");
    if (existsSync(npm) && existsSync(join(dirname(realpathSync(npm)), "npm-cli.js"))) return dirname(realpathSync(npm));
  }
  throw new Error("npm was not found beside node nor on PATH");
}
const NPM_CLI = npmBin();
const ENGINES = process.env.ERLMCP_AUDIT_ENGINES_DIR ?? "/root/.cache/erlmcp-audit/engines";

let work: string;
let project: string;
/** A PATH folder holding only node and sh (npx runs bins through sh): no Go, no engines. */
let nodeOnly: string;
const noEngines = () => mkdtempSync(join(work, "engines-"));

/** `npx erlmcp-audit ...` in the user's project with PATH = node only. */
function npx(args: string[], env: Record<string, string> = {}, cwd = project) {
  const r = spawnSync(process.execPath, [join(NPM_CLI, "npx-cli.js"), "--no-install", "erlmcp-audit", ...args], {
    cwd,
    encoding: "utf8",
    env: { HOME: process.env.HOME ?? "/root", PATH: nodeOnly, ERLMCP_AUDIT_ENGINES_DIR: noEngines(), NO_COLOR: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** npm install of the tarball from this machine's npm cache; with --prefer-offline if a packument is not cached. */
function installTarball(tarball: string): void {
  const npm = (mode: string) =>
    spawnSync(process.execPath, [join(NPM_CLI, "npm-cli.js"), "install", mode, "--no-audit", "--no-fund", tarball], {
      cwd: project,
      encoding: "utf8",
    });
  let r = npm("--offline");
  if (r.status !== 0 && r.stderr.includes("ENOTCACHED")) {
    const missing = /request to (\S+) failed/.exec(r.stderr)?.[1] ?? "a dependency";
    console.warn(`npm cache lacks ${missing}; installing with --prefer-offline instead of --offline`);
    r = npm("--prefer-offline");
  }
  expect(r.status, r.stderr).toBe(0);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "erlmcp-audit-package-"));
  project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true }));
  nodeOnly = join(work, "node-bin");
  mkdirSync(nodeOnly);
  symlinkSync(process.execPath, join(nodeOnly, "node"));
  symlinkSync("/bin/sh", join(nodeOnly, "sh"));

  // dist/ is built before the tests (scripts/test.sh); `prepare` would rebuild it while other tests run the CLI from it.
  const built = existsSync(join(REPO, "dist", "index.js"));
  execFileSync(
    process.execPath,
    [join(NPM_CLI, "npm-cli.js"), "pack", ...(built ? ["--ignore-scripts"] : []), "--pack-destination", work],
    {
      cwd: REPO,
      stdio: "pipe",
    },
  );
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  expect(tarball, "npm pack wrote no tarball").toBeDefined();
  installTarball(join(work, tarball!));
}, 150_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the package installed from its tarball", () => {
  it("ships the reference deployment, its docs, the engine installer and the licence", () => {
    const installed = join(project, "node_modules/erlmcp-audit");
    for (const file of [
      "LICENSE",
      "manifests/README.md",
      "manifests/helm/erlmcp/Chart.yaml",
      "manifests/kustomize/overlays/production/kustomization.yaml",
      "manifests/standalone/workload.yaml",
      "manifests/admission/webhook.yaml",
      "docs/configuration.md",
      "scripts/install-engines.sh",
    ])
      expect(existsSync(join(installed, file)), file).toBe(true);
  });

  it("audits a plain YAML folder with no Go and no engines", () => {
    const init = npx(["init", "deploy", "--form", "standalone"]);
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    // Without its kustomization.yaml the folder is plain YAML: nothing to render.
    rmSync(join(project, "deploy/standalone/kustomization.yaml"));
    const audit = npx(["deploy", "-f", "json"]);
    const report = JSON.parse(audit.stdout) as { inputErrors: unknown[]; summary: { exitCode: number }; findings: unknown[] };
    expect(report.inputErrors).toEqual([]);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(audit.code).toBe(0);
  });

  it("says how to get helm from the installed package when a chart is audited without it", () => {
    expect(npx(["init", "chart", "--form", "helm"]).code).toBe(0);
    const audit = npx(["chart"]);
    expect(audit.code).toBe(2);
    expect(audit.stdout + audit.stderr).toContain("Install it with `npx erlmcp-audit engines install`");
  });

  it("runs the shipped installer with `engines install`, keeping engines already built without Go", () => {
    const r = npx(["engines", "install", "helm"], { PATH: `${nodeOnly}:/usr/bin:/bin`, ERLMCP_AUDIT_ENGINES_DIR: ENGINES });
    expect(r.stdout).toMatch(/^ok {6}helm v3\.22\.0/m);
    expect(r.code).toBe(0);
  });

  it("reports a missing Go from `engines install` with the hint, not a stack trace", () => {
    const r = npx(["engines", "install", "kustomize"], { PATH: `${nodeOnly}:/usr/bin:/bin` });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Go is needed to build kustomize v5.8.1 and is not installed");
  });

  it("runs the README's library example from the shipped README: audit a folder, write SARIF", () => {
    const readme = readFileSync(join(project, "node_modules/erlmcp-audit/README.md"), "utf8");
    const example = /<!-- readme-example[^>]*-->\s*```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, "README has the readme-example block").toBeDefined();
    const cwd = join(project, "example");
    mkdirSync(cwd);
    expect(npx(["init", "deploy", "--form", "standalone"], {}, cwd).code).toBe(0);
    rmSync(join(cwd, "deploy/standalone/kustomization.yaml"));
    writeFileSync(join(cwd, "audit.mjs"), example!);
    const r = spawnSync(process.execPath, ["audit.mjs"], {
      cwd,
      encoding: "utf8",
      env: { HOME: process.env.HOME ?? "/root", PATH: nodeOnly, ERLMCP_AUDIT_ENGINES_DIR: noEngines() },
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^0 failing, 1 waived, 0 input errors$/m);
    expect(r.status).toBe(0);
    const sarif = JSON.parse(readFileSync(join(cwd, "erlmcp-audit.sarif"), "utf8")) as {
      version: string;
      runs: { tool: { driver: { name: string } } }[];
    };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0]!.tool.driver.name).toBe("erlmcp-audit");
  });
});
