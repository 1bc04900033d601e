import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultInputs } from "../../src/cli/default-inputs.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";
import { runBuiltCli } from "./built-cli.js";

const PACKAGE_JSON = '{"name": "shop", "version": "1.0.0"}\n';
const WORKFLOW = "name: ci\non: push\njobs: {}\n";

describe("erlmcp-audit with no path", () => {
  it("without a config, says what it would read and asks for a path (exit 2), auditing nothing", () => {
    const root = tempTree({ "package.json": PACKAGE_JSON, ".github/workflows/ci.yml": WORKFLOW, "deploy/cm.yaml": CONFIGMAP("a") });
    const r = runBuiltCli([], root);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("no path given, and no config file was found");
    expect(r.stderr).toMatch(/would read 3 files as manifests \(.*package\.json/);
    expect(r.stderr).toContain("e.g. `erlmcp-audit deploy/`");
  });

  it("with --no-config and no path, asks for a path too", () => {
    const root = tempTree({ "package.json": PACKAGE_JSON });
    const r = runBuiltCli(["--no-config"], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("e.g. `erlmcp-audit manifests/`");
  });

  it("in a folder whose config lists `inputs`, audits those and only those", () => {
    const root = tempTree({
      "erlmcp-audit.config.yaml": "profile: production\ninputs:\n  - paths: [app]\n    profile: development\n",
      "package.json": PACKAGE_JSON,
      "app/cm.yaml": CONFIGMAP("settings"),
    });
    const r = runBuiltCli(["-f", "json"], root);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { inputs: Array<{ path: string }>; units: Array<{ id: string; profile: string }> };
    expect(report.inputs.map((i) => i.path)).toEqual(["app/cm.yaml"]);
    expect(report.units).toMatchObject([{ id: "app", profile: "development" }]);
    expect(r.stderr).toContain("no path given: auditing the `inputs` of");
  });

  it("reads a values file or a template in `inputs` as its chart, each path once", () => {
    const root = tempTree({
      "erlmcp-audit.config.yaml": "inputs:\n  - paths: [chart/values-dev.yaml, chart/templates/x.yaml, chart]\n    profile: development\n",
      "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
      "chart/values-dev.yaml": "a: 1\n",
      "chart/templates/x.yaml": "",
    });
    expect(defaultInputs(undefined, root)).toEqual({
      configFile: join(root, "erlmcp-audit.config.yaml"),
      paths: [join(root, "chart")].map((p) => p.slice(root.length + 1)),
    });
  });

  it("with a config that lists no `inputs`, asks for a path", () => {
    const root = tempTree({ "erlmcp-audit.config.yaml": "profile: staging\n", "k8s/cm.yaml": CONFIGMAP("a") });
    expect(() => defaultInputs(undefined, root)).toThrow(/lists no `inputs`.*\n.*`erlmcp-audit k8s\/`/);
  });
});
