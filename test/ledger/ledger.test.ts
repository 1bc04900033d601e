import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScenarioLedger, SCENARIO_DECISION_LOG, SCENARIO_RUNS } from "../../scripts/ledger-sample.js";
import { readLedger, recordFile, RECORDS_DIR, signatureFile, type LedgerRecord } from "../../src/ledger/index.js";
import { runCli } from "../helpers/cli.js";

const keys = generateKeyPairSync("ed25519");
const root = mkdtempSync(join(tmpdir(), "erlmcp-ledger-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, "sign.pem"), keys.privateKey.export({ type: "pkcs8", format: "pem" }));
writeFileSync(join(root, "public.pem"), keys.publicKey.export({ type: "spki", format: "pem" }));
const PUBLIC = join(root, "public.pem");
const LEDGER = join(root, "ledger");
/** 15 runs, then the decision log's 4 one-hour intervals. */
const RECORDS = SCENARIO_RUNS.length + 4;

let copies = 0;
/** A copy of the scenario ledger to tamper with. */
function copyLedger(): string {
  const dir = join(root, `copy-${copies++}`);
  cpSync(LEDGER, dir, { recursive: true });
  return dir;
}
const path = (ledger: string, sequence: number, ext: "json" | "sig" = "json") =>
  join(ledger, RECORDS_DIR, ext === "json" ? recordFile(sequence) : signatureFile(sequence));
const verify = (ledger: string, ...extra: string[]) => runCli(["ledger", "verify", "--ledger", ledger, "--public-key", PUBLIC, ...extra]);
const label = (n: number) => `record ${n} (${RECORDS_DIR}/${recordFile(n)})`;

beforeAll(async () => {
  await buildScenarioLedger(LEDGER, join(root, "work"), { signKey: keys.privateKey });
}, 120_000);

describe("ledger append and verify", () => {
  it("chains every run and admission interval, each signed, and verifies intact with the public key", async () => {
    const records = readLedger(LEDGER);
    expect(records.map((r) => r.record.sequence)).toEqual(Array.from({ length: RECORDS }, (_, i) => i + 1));
    for (const [i, r] of records.entries()) {
      expect(r.record.previousSha256).toBe(i === 0 ? null : records[i - 1]!.sha256);
      expect(readdirSync(join(LEDGER, RECORDS_DIR))).toContain(signatureFile(r.record.sequence));
    }
    const first = records[0]!.record as Extract<LedgerRecord, { type: "run" }>;
    expect(first.recordedAt).toBe("2025-12-31T09:00:00.000Z");
    expect(first.run.git).toEqual({ commit: "01".repeat(20), dirty: false });
    expect(first.run.package.files.map((f) => f.path)).toEqual([
      "assessment-results.json",
      "controls.csv",
      "evidence.json",
      "findings.csv",
      "manifest.json",
      "manifest.sig",
      "report.html",
    ]);
    expect(first.run.controls.map((c) => `${c.id}:${c.status}`)).toEqual(["pod-no-host-access:satisfied", "pod-readonly-rootfs:satisfied"]);
    const waived = records[6]!.record as Extract<LedgerRecord, { type: "run" }>;
    expect(waived.run.waivers).toMatchObject([{ id: "WVR-0042", approver: "ciso@example.com", approved: "2026-01-06", state: "active" }]);
    expect(waived.run.findings).toMatchObject([{ controlId: "pod-no-host-access", status: "waived", waiver: "WVR-0042" }]);

    const ok = await verify(LEDGER);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(
      `OK: ${RECORDS} record(s) (15 run(s), 4 admission interval(s)), chain intact; head record ${RECORDS} SHA-256 ${records.at(-1)!.sha256}`,
    );
  });

  it("without a public key the chain is checked but the result is UNVERIFIED (exit 1 unless --allow-unverified)", async () => {
    const plain = await runCli(["ledger", "verify", "--ledger", LEDGER]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain("signatures UNVERIFIED");
    expect((await runCli(["ledger", "verify", "--ledger", LEDGER, "--allow-unverified"])).code).toBe(0);
  });

  it("names every altered record, by its signature and by the next record's hash", async () => {
    for (let n = 1; n <= RECORDS; n++) {
      const ledger = copyLedger();
      const file = path(ledger, n);
      writeFileSync(file, readFileSync(file, "utf8").replace(/"recordedAt": "2/, '"recordedAt": "1'));
      const result = await verify(ledger);
      expect(result.code, `record ${n}`).toBe(1);
      expect(result.stderr).toContain(`${label(n)}: altered or inserted: its signature does not match`);
      if (n < RECORDS) {
        expect(result.stderr).toContain(`${label(n + 1)}: its previousSha256`);
        const chainOnly = await runCli(["ledger", "verify", "--ledger", ledger, "--allow-unverified"]);
        expect(chainOnly.code).toBe(1);
        expect(chainOnly.stderr).toContain(`is not the SHA-256`);
        expect(chainOnly.stderr).toContain(`of ${label(n)}`);
      }
    }
  });

  it("names every removed record; a removed last record is caught against a head noted earlier", async () => {
    const head = readLedger(LEDGER).at(-1)!.sha256;
    for (let n = 1; n <= RECORDS; n++) {
      const ledger = copyLedger();
      rmSync(path(ledger, n));
      rmSync(path(ledger, n, "sig"));
      const result = await verify(ledger, "--head", head);
      expect(result.code, `record ${n}`).toBe(1);
      if (n < RECORDS) expect(result.stderr).toContain(`record ${n} is missing`);
      else expect(result.stderr).toContain(`no longer holds the record with SHA-256 ${head}`);
    }
    const ledger = copyLedger();
    rmSync(path(ledger, 4));
    expect((await verify(ledger)).stderr).toContain(`${label(4)}: removed (its signature`);
  });

  it("names reordered records", async () => {
    const ledger = copyLedger();
    for (const ext of ["json", "sig"] as const) {
      renameSync(path(ledger, 5, ext), join(ledger, "swap"));
      renameSync(path(ledger, 6, ext), path(ledger, 5, ext));
      renameSync(join(ledger, "swap"), path(ledger, 6, ext));
    }
    const result = await verify(ledger);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${label(5)}: holds record 6: moved or reordered`);
    expect(result.stderr).toContain(`${label(6)}: holds record 5: moved or reordered`);
  });

  it("names an inserted record, even one that carries the right previous hash", async () => {
    const ledger = copyLedger();
    for (let n = RECORDS; n >= 6; n--)
      for (const ext of ["json", "sig"] as const) renameSync(path(ledger, n, ext), path(ledger, n + 1, ext));
    const forged = { ...JSON.parse(readFileSync(path(ledger, 5), "utf8")), sequence: 6, previousSha256: readLedger(ledger)[4]!.sha256 };
    writeFileSync(path(ledger, 6), JSON.stringify(forged, null, 2) + "\n");
    const attacker = generateKeyPairSync("ed25519");
    const { sign } = await import("node:crypto");
    writeFileSync(path(ledger, 6, "sig"), sign(null, readFileSync(path(ledger, 6)), attacker.privateKey).toString("base64") + "\n");
    const result = await verify(ledger);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${label(6)}: altered or inserted`);
    expect(result.stderr).toContain(`${label(7)}: holds record 6`);
    expect(result.stderr).toContain(`${label(7)}: its previousSha256`);

    const extra = copyLedger();
    writeFileSync(path(extra, 40), readFileSync(path(extra, 3)));
    const gap = await verify(extra);
    expect(gap.stderr).toContain(`records ${RECORDS + 1}–39 are missing`);
    expect(gap.stderr).toContain(`${label(40)}: holds record 3`);
  });

  it("refuses to append a package twice, a package that does not verify, and a ledger holding foreign files", async () => {
    const pkg = join(root, "work", "packages", "3");
    const again = await runCli(["ledger", "append", pkg, "--ledger", copyLedger()]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("is already record 3 of the ledger");

    const broken = join(root, "broken-package");
    cpSync(pkg, broken, { recursive: true });
    writeFileSync(join(broken, "findings.csv"), "edited\n");
    const tampered = await runCli(["ledger", "append", broken, "--ledger", copyLedger()]);
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toContain("is not an intact evidence package");
    expect(tampered.stderr).toContain("findings.csv: changed");

    const foreign = join(root, "foreign");
    mkdirSync(join(foreign, RECORDS_DIR), { recursive: true });
    writeFileSync(join(foreign, RECORDS_DIR, "notes.txt"), "x");
    const refused = await runCli(["ledger", "append", join(root, "work", "packages", "1"), "--ledger", foreign]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("notes.txt");
    expect((await verify(foreign)).stderr).toContain(`${RECORDS_DIR}/notes.txt: not a record or signature file`);
  });

  it("`evidence --ledger` appends the run it just wrote, signed with the package's key", async () => {
    const dir = mkdtempSync(join(root, "evidence-"));
    writeFileSync(join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: shop }\ndata: { a: b }\n");
    const ledger = join(dir, "ledger");
    const result = await runCli([
      "evidence",
      join(dir, "cm.yaml"),
      "--no-config",
      "--no-git",
      "--out",
      join(dir, "pkg"),
      "--sign-key",
      join(root, "sign.pem"),
      "--ledger",
      ledger,
      "--location",
      "https://ci.example.com/runs/1/evidence",
    ]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/appended record 1 \(records\/00000001\.json, SHA-256 [0-9a-f]{64}, signed\)/);
    const [stored] = readLedger(ledger);
    expect(stored!.record).toMatchObject({ type: "run", run: { package: { location: "https://ci.example.com/runs/1/evidence" } } });
    expect((await verify(ledger)).code).toBe(0);
  });
});

describe("ledger append-admission", () => {
  it("records counts per decision and per control and action, and every denied object, per interval", () => {
    const admission = readLedger(LEDGER).flatMap((r) => (r.record.type === "admission" ? [r.record.admission] : []));
    expect(admission.map((a) => a.from)).toEqual([
      "2026-01-03T10:00:00.000Z",
      "2026-01-03T11:00:00.000Z",
      "2026-01-10T08:00:00.000Z",
      "2026-01-10T09:00:00.000Z",
    ]);
    expect(admission[0]).toMatchObject({
      to: "2026-01-03T11:00:00.000Z",
      decisions: { allowed: 1, denied: 1 },
      controls: [{ id: "pod-no-host-access", action: "deny", count: 1 }],
      denied: [{ uid: "u-2", kind: "Pod", namespace: "shop", name: "debug", controls: ["pod-no-host-access"] }],
    });
    expect(admission[3]!.denied).toMatchObject([
      { uid: "u-6", decision: "over-limit", controls: [], reason: "request body exceeds 3145728 bytes" },
    ]);
  });

  it("skips the intervals the ledger already holds, and names a line that is not JSON", async () => {
    const ledger = copyLedger();
    const log = join(root, "webhook.log");
    writeFileSync(log, SCENARIO_DECISION_LOG);
    const again = await runCli(["ledger", "append-admission", log, "--ledger", ledger, "--sign-key", join(root, "sign.pem")]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("skipped 4 interval(s) the ledger already holds");
    expect(readLedger(ledger)).toHaveLength(RECORDS);

    const daily = await runCli(["ledger", "append-admission", log, "--ledger", join(root, "daily"), "--interval", "1d"]);
    expect(daily.stdout.match(/appended record/g)).toHaveLength(2);
    expect(readLedger(join(root, "daily"))[1]!.record).toMatchObject({
      admission: { decisions: { allowed: 1, denied: 1, "over-limit": 1 } },
    });

    writeFileSync(log, `${SCENARIO_DECISION_LOG}not json\n`);
    const bad = await runCli(["ledger", "append-admission", log, "--ledger", copyLedger()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${log}:8: not a JSON line of the webhook's log`);
  });
});
