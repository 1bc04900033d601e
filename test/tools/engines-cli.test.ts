/** `erlmcp-audit engines install`: its own options only, and either --all or tool names. */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("erlmcp-audit engines install", () => {
  it("refuses an option it does not support, naming the subcommand", async () => {
    const r = await runCli(["engines", "install", "--controls", "net-*"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--controls' is not supported by 'erlmcp-audit engines install'");
  });

  it("refuses --all together with tool names", async () => {
    const r = await runCli(["engines", "install", "--all", "helm"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("give either --all or tool names, not both");
  });
});
