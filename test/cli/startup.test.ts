import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "./built-cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

/** The URLs of every module the built CLI loads for `args` (recorded by a load hook). */
function modulesLoaded(args: string[]): string[] {
  const dir = tempTree({ "ok.yaml": CONFIGMAP("a") });
  const log = join(dir, "modules.txt");
  writeFileSync(
    join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }\n`,
  );
  writeFileSync(
    join(dir, "register.mjs"),
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`,
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
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

describe("start-up", () => {
  // The Kubernetes client is some 800 modules (0.8 s of start-up on 2 cores): only `cluster` reads need it.
  it.each([[["--version"]], [["ok.yaml", "--format", "json"]]])("erlmcp-audit %j loads no module of the cluster client", (args) => {
    const loaded = modulesLoaded(args);
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
    const loaded = modulesLoaded(args);
    expect(loaded.some((url) => url.includes("/dist/audit.js") || args[0] === "--version")).toBe(true);
    const others = loaded.filter((url) => /\/dist\/(evidence|ledger|admission|cluster)\//.test(url));
    expect(others.filter((url) => !OPTION_DATA.some((data) => url.endsWith(data)))).toEqual([]);
  });
});
