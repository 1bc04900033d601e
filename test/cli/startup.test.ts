import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "./built-cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

/**
 * The URLs of every module the built CLI loads for `args` (recorded by a load hook), and the files of the
 * CommonJS modules it required (read from the module cache as it exits: `require` passes no load hook).
 */
function modulesLoaded(
  args: string[],
  files: Record<string, string> = { "ok.yaml": CONFIGMAP("a") },
): { modules: string[]; status: number | null; stdout: string } {
  const dir = tempTree(files);
  const log = join(dir, "modules.txt");
  writeFileSync(
    join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }\n`,
  );
  writeFileSync(
    join(dir, "register.mjs"),
    [
      `import { appendFileSync } from "node:fs";`,
      `import { createRequire, register } from "node:module";`,
      `register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});`,
      `const cache = createRequire(import.meta.url).cache;`,
      `process.on("exit", () => appendFileSync(${JSON.stringify(log)}, Object.keys(cache).map((f) => "cjs:" + f + "\\n").join("")));`,
      "",
    ].join("\n"),
  );
  const r = spawnSync(
    process.execPath,
    ["--import", pathToFileURL(join(dir, "register.mjs")).href, join(PACKAGE_ROOT, "bin/erlmcp-audit.js"), ...args],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  expect(r.status, r.stderr).not.toBeNull();
  return { modules: readFileSync(log, "utf8").split("\n").filter(Boolean), status: r.status, stdout: r.stdout };
}

describe("start-up", () => {
  // The Kubernetes client is some 800 modules (0.8 s of start-up on 2 cores): only `cluster` reads need it.
  it.each([[["--version"]], [["ok.yaml", "--format", "json"]]])("erlmcp-audit %j loads no module of the cluster client", (args) => {
    const loaded = modulesLoaded(args).modules;
    expect(
      loaded.some((url) => url.includes("/dist/cli/main.js")),
      "the hook saw the CLI load",
    ).toBe(true);
    expect(loaded.filter((url) => url.includes("/node_modules/@kubernetes/client-node/"))).toEqual([]);
  });

  // Each subcommand loads what it runs when it runs: an audit reads no evidence, ledger, webhook or cluster code
  // (only the two data modules their options are declared with).
  const OPTION_DATA = ["/dist/admission/limits.js", "/dist/evidence/frameworks.js"];
  it.each([[["--version"]], [["ok.yaml", "--format", "json"]]])("erlmcp-audit %j loads no module of another subcommand", (args) => {
    const loaded = modulesLoaded(args).modules;
    expect(loaded.some((url) => url.includes("/dist/audit.js") || args[0] === "--version")).toBe(true);
    const others = loaded.filter((url) => /\/dist\/(evidence|ledger|admission|cluster)\//.test(url));
    expect(others.filter((url) => !OPTION_DATA.some((data) => url.endsWith(data)))).toEqual([]);
  });

  // ajv compiles only parameter schemas a config overrides and a catalog not stored; re2-wasm (Go's regexp, for
  // the `pattern`s of some kinds) loads when a value is tested against a pattern, not when the kind's schema loads.
  const RULE = (strategy?: string) =>
    `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r, namespace: a}\nspec:\n  groups:\n    - name: g\n${strategy ? `      partial_response_strategy: ${strategy}\n` : ""}      rules: []\n`;
  const compilerModules = (modules: string[]) =>
    modules.filter((m) => /\/node_modules\/re2-wasm\/|\/node_modules\/ajv\/dist\/(ajv|core)\.js$/.test(m));

  it("an audit without a config loads neither ajv's compiler nor re2-wasm, a PrometheusRule included", () => {
    const { modules, stdout } = modulesLoaded(["ok.yaml", "rule.yaml", "--format", "json"], {
      "ok.yaml": CONFIGMAP("a"),
      "rule.yaml": RULE(),
    });
    expect(JSON.parse(stdout).summary.resources).toBe(2);
    expect(
      modules.some((m) => m.includes("/dist/schemas/@kubernetes-models/prometheus-operator/")),
      "the rule's schema was loaded",
    ).toBe(true);
    expect(compilerModules(modules)).toEqual([]);
  });

  it("a value tested against a pattern loads re2-wasm and is judged by Go's syntax", () => {
    // `(?i)` is Go's syntax (JavaScript's RegExp rejects it): WARN matches `^(?i)(abort|warn)?$`.
    const ok = modulesLoaded(["rule.yaml", "--format", "json"], { "rule.yaml": RULE("WARN") });
    expect(compilerModules(ok.modules).some((m) => m.includes("/re2-wasm/"))).toBe(true);
    expect(JSON.parse(ok.stdout).inputErrors ?? []).toEqual([]);
    const bad = modulesLoaded(["rule.yaml", "--format", "json"], { "rule.yaml": RULE("maybe") });
    expect(compilerModules(bad.modules).some((m) => m.includes("/re2-wasm/"))).toBe(true);
    expect(JSON.stringify(JSON.parse(bad.stdout).inputErrors)).toContain("partial_response_strategy");
  });
});
