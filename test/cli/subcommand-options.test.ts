import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("each subcommand accepts exactly the options it honours", () => {
  it.each([
    ["evidence", ["evidence", "manifests/standalone", "--out", "/nonexistent/x", "--controls", "net-*"], "--controls"],
    ["evidence", ["evidence", "manifests/standalone", "--out", "/nonexistent/x", "--disallow-waivers"], "--disallow-waivers"],
    ["evidence", ["evidence", "manifests/standalone", "--out", "/nonexistent/x", "-f", "json"], "-f"],
    ["evidence", ["evidence", "manifests/standalone", "--out", "/nonexistent/x", "-q"], "-q"],
    ["controls", ["controls", "--fail-on", "high"], "--fail-on"],
    ["verify", ["verify", "/nonexistent", "--no-git"], "--no-git"],
  ])("%s refuses an option it does not support: %j", async (command, args, flag) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`option '${flag}' is not supported by 'erlmcp-audit ${command}'`);
    expect(r.stdout).toBe("");
  });

  it("refuses an audit option given before a subcommand, naming both", async () => {
    const r = await runCli(["-q", "--no-config", "controls"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'--no-config', '--quiet' are options of the audit, not supported by 'erlmcp-audit controls'");
    expect(r.stdout).toBe("");
  });

  it("still accepts each subcommand's own options, and the audit's options after the paths", async () => {
    expect((await runCli(["controls", "--json"])).code).toBe(0);
    const audit = await runCli(["manifests/standalone", "-q", "--controls", "net-*", "-f", "json"]);
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout).controls.every((c: { id: string }) => c.id.startsWith("net-"))).toBe(true);
  });
});
