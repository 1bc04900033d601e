/** The CI gate appends its own runs to the ledger (`erlmcp-audit <paths> --ledger <dir>`), each with its evidence package. */
import { generateKeyPairSync } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readLedger } from "../../src/ledger/index.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

describe("the gate's --ledger", () => {
  const root = tempTree({ "app/config.yaml": CONFIGMAP("settings") });
  const keys = generateKeyPairSync("ed25519");
  writeFileSync(join(root, "sign.pem"), keys.privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(join(root, "public.pem"), keys.publicKey.export({ type: "spki", format: "pem" }));
  const ledger = join(root, "ledger");

  it("keeps each run's package and appends a signed record per run, chained", async () => {
    for (const _ of [1, 2]) {
      const run = await runCli([join(root, "app"), "--no-config", "-q", "--ledger", ledger, "--sign-key", join(root, "sign.pem")]);
      expect(run.stderr).toMatch(/appended record \d \(.*signed\)/);
    }
    const records = readLedger(ledger);
    expect(records.map((r) => r.record.sequence)).toEqual([1, 2]);
    for (const { record } of records) {
      if (record.type !== "run") throw new Error("expected run records");
      expect(existsSync(join(ledger, record.run.package.location, "manifest.json"))).toBe(true);
      const verify = await runCli(["verify", join(ledger, record.run.package.location), "--public-key", join(root, "public.pem")]);
      expect(verify.code).toBe(0);
    }
    const verify = await runCli(["ledger", "verify", "--ledger", ledger, "--public-key", join(root, "public.pem")]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it("refuses --sign-key without --ledger", async () => {
    const run = await runCli([join(root, "app"), "--no-config", "--sign-key", join(root, "sign.pem")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--sign-key .*--ledger/);
  });
});

describe("the gate's --ledger on a reproducible run", () => {
  it("records the same package once (one commit, one SOURCE_DATE_EPOCH)", async () => {
    const root = tempTree({ "app/config.yaml": CONFIGMAP("settings") });
    const ledger = join(root, "ledger");
    const before = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = "1767225600";
    try {
      expect((await runCli([join(root, "app"), "--no-config", "-q", "--ledger", ledger])).stderr).toMatch(/appended record 1 .*UNSIGNED/);
      const again = await runCli([join(root, "app"), "--no-config", "-q", "--ledger", ledger]);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain("already record 1");
      expect(readLedger(ledger)).toHaveLength(1);
    } finally {
      if (before === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = before;
    }
  });
});

describe("a gate record's CI run", () => {
  it("carries the CI run identity of the package", async () => {
    const root = tempTree({ "app/config.yaml": CONFIGMAP("settings") });
    const ledger = join(root, "ledger");
    const env = { ERLMCP_AUDIT_RUN_URL: "https://ci.example/runs/77", ERLMCP_AUDIT_RUN_ACTOR: "release-bot" };
    Object.assign(process.env, env);
    try {
      await runCli([join(root, "app"), "--no-config", "-q", "--ledger", ledger]);
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
    }
    const [first] = readLedger(ledger);
    expect(first?.record.type === "run" && first.record.run.ci).toEqual({
      system: "generic",
      url: "https://ci.example/runs/77",
      actor: "release-bot",
    });
  });
});
