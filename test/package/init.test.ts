/**
 * `erlmcp-audit init`: the reference deployment (or one form of it) lands in the user's folder with a
 * starter config and waiver file, audits clean, and never overwrites a file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../helpers/cli.js";
import { tempTree } from "../helpers/tmp.js";
import { INIT_FORMS } from "../../src/cli/init.js";

const ENGINES = "/root/.cache/erlmcp-audit/engines";
process.env.ERLMCP_AUDIT_ENGINES_DIR ??= ENGINES;

describe("erlmcp-audit init", () => {
  const root = tempTree({});

  it.each(["all", ...Object.keys(INIT_FORMS)])(
    "copies the %s form, and the copy audits with no failing finding",
    async (form) => {
      const dir = join(root, form);
      const init = await runCli(["init", dir, "--form", form]);
      expect(init.stderr).toBe("");
      expect(init.code).toBe(0);
      expect(init.stdout).toContain(`audit it: erlmcp-audit`);
      for (const file of ["erlmcp-audit.config.yaml", "erlmcp-audit.waivers.yaml", "README.md"])
        expect(existsSync(join(dir, file)), file).toBe(true);

      const config = parse(readFileSync(join(dir, "erlmcp-audit.config.yaml"), "utf8")) as {
        inputs?: { paths: string[] }[];
        waivers: string[];
      };
      expect(config.waivers).toEqual(["erlmcp-audit.waivers.yaml"]);
      for (const input of config.inputs ?? []) for (const path of input.paths) expect(existsSync(join(dir, path)), path).toBe(true);

      const audit = await runCli([dir, "-f", "json"]);
      expect(audit.stderr).toBe("");
      const report = JSON.parse(audit.stdout) as { summary: { exitCode: number }; inputErrors: unknown[] };
      expect(report.inputErrors).toEqual([]);
      expect(audit.code).toBe(0);
    },
    60_000,
  );

  it("copies only the chosen form", async () => {
    const dir = join(root, "only-helm");
    expect((await runCli(["init", dir, "--form", "helm"])).code).toBe(0);
    expect(existsSync(join(dir, "helm/erlmcp/Chart.yaml"))).toBe(true);
    expect(existsSync(join(dir, "kustomize"))).toBe(false);
    expect(existsSync(join(dir, "standalone"))).toBe(false);
  });

  it("copies two forms given together", async () => {
    const dir = join(root, "two");
    expect((await runCli(["init", dir, "--form", "standalone", "--form", "admission"])).code).toBe(0);
    expect(existsSync(join(dir, "standalone/workload.yaml"))).toBe(true);
    expect(existsSync(join(dir, "standalone/canary"))).toBe(false);
    expect(existsSync(join(dir, "admission/webhook.yaml"))).toBe(true);
  });

  it("refuses to overwrite an existing file, names it, and writes nothing", async () => {
    const dir = join(root, "existing");
    mkdirSync(dir);
    writeFileSync(join(dir, "erlmcp-audit.config.yaml"), "profile: staging\n");
    const result = await runCli(["init", dir, "--form", "helm"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("refusing to overwrite 1 existing file");
    expect(result.stderr).toContain("erlmcp-audit.config.yaml");
    expect(readFileSync(join(dir, "erlmcp-audit.config.yaml"), "utf8")).toBe("profile: staging\n");
    expect(existsSync(join(dir, "helm"))).toBe(false);
  });

  it("refuses a target that is a file", async () => {
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    const result = await runCli(["init", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is not a folder");
  });

  it("rejects an unknown form and an option of the audit", async () => {
    const bad = await runCli(["init", join(root, "bad"), "--form", "terraform"]);
    expect(bad.code).toBe(2);
    expect(existsSync(join(root, "bad"))).toBe(false);
    const audit = await runCli(["init", join(root, "bad"), "--controls", "net-*"]);
    expect(audit.code).toBe(2);
    expect(audit.stderr).toContain("'erlmcp-audit init'");
  });
});
