/**
 * Files that steer a run without being audited (the config found beside the inputs, the waiver files it
 * names, --baseline, signing keys) may be links a repository planted. A link to /dev/zero read until memory
 * ran out, a FIFO hung the run, /proc/self/environ (size 0, the CI job's secrets) was read, and a YAML error
 * quoted the file's text, secrets included, into the CI log. Only regular files are read, whole and bounded
 * (src/tools/read-regular-file.ts), and no YAML error quotes the file (src/yaml/error-summary.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRegularFile, RegularFileError } from "../../src/tools/read-regular-file.js";
import { yamlErrorSummary } from "../../src/yaml/error-summary.js";
import { runCli } from "../helpers/cli.js";
import { SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";

const linux = process.platform === "linux" && existsSync("/dev/zero") && existsSync("/proc/self/environ");
const SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY";
const CREDENTIALS = `[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key: ${SECRET}: x\n`;

function mkfifo(path: string): void {
  expect(spawnSync("mkfifo", [path]).status).toBe(0);
}

describe("readRegularFile", () => {
  it("reads a regular file and a link to one", () => {
    const root = tempTree({ "a.yaml": "profile: production\n" });
    symlinkSync(join(root, "a.yaml"), join(root, "link.yaml"));
    expect(readRegularFile(join(root, "a.yaml")).toString()).toBe("profile: production\n");
    expect(readRegularFile(join(root, "link.yaml")).toString()).toBe("profile: production\n");
  });

  it.runIf(linux)("refuses a FIFO without waiting for a writer, a device, a folder and a /proc pseudo-file", () => {
    const root = tempTree({});
    mkfifo(join(root, "fifo.yaml"));
    symlinkSync("/dev/zero", join(root, "zero.yaml"));
    symlinkSync("/proc/self/environ", join(root, "environ.yaml"));
    mkdirSync(join(root, "folder.yaml"));
    const refusal = (name: string) => {
      try {
        readRegularFile(join(root, name));
      } catch (error) {
        expect(error).toBeInstanceOf(RegularFileError);
        return (error as Error).message;
      }
      throw new Error(`${name} was read`);
    };
    expect(refusal("fifo.yaml")).toMatch(/not a regular file/);
    expect(refusal("zero.yaml")).toMatch(/not a regular file/);
    expect(refusal("environ.yaml")).toMatch(/pseudo-file/);
    expect(refusal("folder.yaml")).toMatch(/is a folder/);
  });

  it("refuses a file over the limit unread", () => {
    const root = tempTree({ "big.yaml": "x".repeat(2000) });
    expect(() => readRegularFile(join(root, "big.yaml"), 1000)).toThrow("is 2000 bytes, over the 1000-byte limit");
    expect(readRegularFile(join(root, "big.yaml"), 2000).length).toBe(2000);
  });
});

describe("the files that steer a run, planted as links", () => {
  it.runIf(linux)("a config found beside the inputs that is a link to /dev/zero or a FIFO fails the run at once", async () => {
    for (const plant of [(at: string) => symlinkSync("/dev/zero", at), mkfifo]) {
      const root = tempTree({ "app.yaml": SURVIVOR_DEPLOYMENT });
      plant(join(root, "erlmcp-audit.config.yaml"));
      const run = await runCli([root, "--format", "json"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/erlmcp-audit\.config\.yaml: is not a regular file/);
    }
  });

  it.runIf(linux)("a waiver file that is a link to /proc/self/environ and a --baseline that is one are refused", async () => {
    const root = tempTree({ "app.yaml": SURVIVOR_DEPLOYMENT, "erlmcp-audit.config.yaml": "waivers: [waivers.yaml]\n" });
    symlinkSync("/proc/self/environ", join(root, "waivers.yaml"));
    symlinkSync("/proc/self/environ", join(root, "baseline.json"));
    const waivers = await runCli([join(root, "app.yaml"), "--config", join(root, "erlmcp-audit.config.yaml")]);
    expect(waivers.code).toBe(2);
    expect(waivers.stderr).toMatch(/waivers\.yaml: holds more than the 0 bytes its size says/);
    const baseline = await runCli([join(root, "app.yaml"), "--no-config", "--baseline", join(root, "baseline.json")]);
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toMatch(/pseudo-file/);
  });

  it("a config or manifest that is a link to a credentials file never has its secret quoted", async () => {
    const root = tempTree({
      "creds/credentials": CREDENTIALS,
      "in/app.yaml": SURVIVOR_DEPLOYMENT,
      "other/aliased.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  k: *${SECRET}\n`,
    });
    symlinkSync(join(root, "creds/credentials"), join(root, "in/erlmcp-audit.config.yaml"));
    const config = await runCli([join(root, "in"), "--format", "json"]);
    expect(config.code).toBe(2);
    expect(config.stderr).toContain("invalid YAML: Unexpected scalar token in YAML stream");
    expect(config.stderr).not.toContain(SECRET);

    symlinkSync(join(root, "creds/credentials"), join(root, "other/creds.yaml"));
    for (const format of ["json", "text", "sarif"]) {
      const manifests = await runCli([join(root, "other"), "--no-config", "--format", format]);
      expect(manifests.code).toBe(2);
      expect(manifests.stdout + manifests.stderr).not.toContain(SECRET);
      expect(manifests.stdout).toContain("creds.yaml");
    }
  });

  it("yamlErrorSummary keeps yaml's words and drops its position and what it quotes", () => {
    expect(yamlErrorSummary(`Unexpected scalar token in YAML stream: "${SECRET}" at line 2, column 41:\n\n  x: ${SECRET}\n`)).toBe(
      "Unexpected scalar token in YAML stream",
    );
    expect(yamlErrorSummary(`Unresolved alias (the anchor must be set before the alias): ${SECRET}`)).toBe(
      "Unresolved alias (the anchor must be set before the alias)",
    );
    expect(yamlErrorSummary("Implicit map keys need to be followed by map values at line 2, column 1:\n\nsecret\n^")).toBe(
      "Implicit map keys need to be followed by map values",
    );
    expect(yamlErrorSummary("")).toBe("invalid YAML");
  });
});
