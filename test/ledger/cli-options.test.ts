import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("the ledger commands and evidence period accept exactly their own options", () => {
  it.each([
    ["ledger verify", ["ledger", "verify", "--ledger", "/nonexistent", "--sign-key", "k"], "--sign-key"],
    ["ledger append", ["ledger", "append", "/nonexistent", "--ledger", "/nonexistent", "--public-key", "k"], "--public-key"],
    ["ledger append-admission", ["ledger", "append-admission", "/nonexistent", "--ledger", "/x", "-q"], "-q"],
    [
      "evidence period",
      ["evidence", "period", "--ledger", "/x", "--from", "2026-01-01", "--to", "2026-01-02", "--out", "/x", "--framework", "soc2"],
      "--framework",
    ],
  ])("%s refuses an option it does not support: %j", async (command, args, flag) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`option '${flag}' is not supported by 'erlmcp-audit ${command}'`);
    expect(r.stdout).toBe("");
  });

  it("refuses options of `evidence` given before `period`, which period would ignore", async () => {
    const r = await runCli([
      "evidence",
      "--no-config",
      "--sign-key",
      "k.pem",
      "period",
      "--ledger",
      "/x",
      "--from",
      "2026-01-01",
      "--to",
      "2026-01-02",
      "--out",
      "/x",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "'--sign-key', '--no-config' are options of 'erlmcp-audit evidence', not supported by 'erlmcp-audit evidence period'",
    );
  });

  it("evidence still requires --out, and still takes its options after its paths", async () => {
    const missing = await runCli(["evidence", "manifests/standalone"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--out <dir>' not specified");
    const wrong = await runCli(["evidence", "manifests/standalone", "--out", "/nonexistent/x", "--from", "2026-01-01"]);
    expect(wrong.stderr).toContain("option '--from' is not supported by 'erlmcp-audit evidence'");
  });
});
