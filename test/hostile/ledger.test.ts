/**
 * Hostile input to the ledger and the period report: files in the ledger that are not records, a
 * record that is not JSON or is a symbolic link, a ledger folder reached through a link, decision
 * logs with broken lines, bad intervals and dates, an output folder holding other files, and
 * script planted in a denied object's name or a package link.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { appendAdmission, readLedger, RECORDS_DIR, recordFile } from "../../src/ledger/index.js";
import { runCli } from "../helpers/cli.js";
import { tempTree } from "../helpers/tmp.js";

const decision = (time: string, fields: Record<string, unknown>) =>
  JSON.stringify({ time, level: "info", msg: "admission decision", uid: "u", operation: "CREATE", user: "u", controls: [], ...fields });
const LOG = [
  decision("2026-01-03T10:00:00Z", { kind: "Pod", namespace: "a", name: "ok", decision: "allowed", allowed: true }),
  decision("2026-01-03T11:00:00Z", {
    kind: "Pod",
    namespace: 'x"><script>window.__pwned=1</script>',
    name: "<img src=x onerror=alert(1)>",
    decision: "denied",
    allowed: false,
    controls: [{ id: "pod-no-host-access", severity: "critical", action: "deny", messageId: "hostNamespace" }],
  }),
  decision("2026-01-04T11:00:00Z", { kind: "Pod", namespace: "a", name: "ok", decision: "allowed", allowed: true }),
].join("\n");

describe("hostile ledger input", () => {
  let root: string;
  let ledger: string;
  beforeAll(() => {
    root = tempTree({ "webhook.log": LOG });
    ledger = join(root, "ledger");
    appendAdmission(LOG, ledger, { intervalMs: 3_600_000 });
  });
  const verify = (dir: string) => runCli(["ledger", "verify", "--ledger", dir, "--allow-unverified"]);

  it("a record that is not JSON, or is a symbolic link, is named", async () => {
    const dir = join(root, "broken");
    appendAdmission(LOG, dir, { intervalMs: 3_600_000 });
    writeFileSync(join(dir, RECORDS_DIR, recordFile(2)), "{ not json");
    symlinkSync(join(dir, RECORDS_DIR, recordFile(1)), join(dir, RECORDS_DIR, recordFile(4)));
    const result = await verify(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `record 2 (${RECORDS_DIR}/${recordFile(2)}): altered: ${RECORDS_DIR}/${recordFile(2)} is not valid JSON`,
    );
    expect(result.stderr).toContain(`${RECORDS_DIR}/${recordFile(4)} (a symbolic link): not a record or signature file`);
  });

  it("a record of the wrong shape or an unknown major version is named, not read", async () => {
    const dir = join(root, "shapes");
    appendAdmission(LOG, dir, { intervalMs: 3_600_000 });
    const edit = (n: number, change: (r: Record<string, unknown>) => void) => {
      const file = join(dir, RECORDS_DIR, recordFile(n));
      const record = JSON.parse(readFileSync(file, "utf8"));
      change(record);
      writeFileSync(file, JSON.stringify(record));
    };
    edit(1, (r) => (r.schemaVersion = "2.0.0"));
    edit(2, (r) => ((r.admission as Record<string, unknown>).denied = "none"));
    edit(3, (r) => Object.assign(r, { type: "run", run: { package: {} } }));
    const result = await verify(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `record 1 (${RECORDS_DIR}/${recordFile(1)}): altered: ${RECORDS_DIR}/${recordFile(1)} is not a ledger record: schemaVersion "2.0.0" is not 1.x`,
    );
    expect(result.stderr).toContain(
      "record 2 (records/00000002.json): altered: records/00000002.json is not a ledger record: `admission.denied` needs a time",
    );
    expect(result.stderr).toContain(
      "record 3 (records/00000003.json): altered: records/00000003.json is not a ledger record: `run.package` needs an id",
    );
    const period = await runCli([
      "evidence",
      "period",
      "--ledger",
      dir,
      "--from",
      "2026-01-01",
      "--to",
      "2026-01-31",
      "--out",
      join(root, "shapes-out"),
    ]);
    expect(period.code).toBe(2);
    expect(period.stderr).toContain("the ledger does not verify");
  });

  it("appending refuses a ledger whose records/ is a symbolic link", async () => {
    const dir = join(root, "linked");
    mkdirSync(dir);
    symlinkSync(join(ledger, RECORDS_DIR), join(dir, RECORDS_DIR));
    writeFileSync(join(root, "more.log"), decision("2026-02-01T00:00:00Z", { kind: "Pod", name: "p", decision: "allowed", allowed: true }));
    const result = await runCli(["ledger", "append-admission", join(root, "more.log"), "--ledger", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is a symbolic link: refusing to write through it");
  });

  it("a decision line without a valid time, and an interval that does not divide a day, are usage errors", async () => {
    writeFileSync(join(root, "bad.log"), `${LOG}\n${decision("yesterday", { decision: "allowed", allowed: true })}\n`);
    const bad = await runCli(["ledger", "append-admission", join(root, "bad.log"), "--ledger", join(root, "l2")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("bad.log:4: a decision without a valid time");
    for (const interval of ["7m", "0h", "2d", "1w", "h"]) {
      const result = await runCli([
        "ledger",
        "append-admission",
        join(root, "webhook.log"),
        "--ledger",
        join(root, "l3"),
        "--interval",
        interval,
      ]);
      expect(result.code, interval).toBe(2);
      expect(result.stderr).toContain(`--interval ${interval}: expected a duration that divides a day`);
    }
  });

  it("bad period dates and an output folder holding other files are usage errors", async () => {
    const run = (...args: string[]) => runCli(["evidence", "period", "--ledger", ledger, "--out", join(root, "p"), ...args]);
    expect((await run("--from", "2026-13-45", "--to", "2026-01-31")).stderr).toContain("--from 2026-13-45: expected a date");
    expect((await run("--from", "2026-01-01", "--to", "2026-01-31T00:00:00")).stderr).toContain("a timestamp with a zone");
    expect((await run("--from", "2026-02-01", "--to", "2026-01-01")).stderr).toContain("--to 2026-01-01 is not after --from 2026-02-01");
    mkdirSync(join(root, "busy"));
    writeFileSync(join(root, "busy", "keep.txt"), "mine");
    const busy = await runCli([
      "evidence",
      "period",
      "--ledger",
      ledger,
      "--from",
      "2026-01-01",
      "--to",
      "2026-01-31",
      "--out",
      join(root, "busy"),
    ]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain("holds files that are not part of a period report (keep.txt)");
    expect(readFileSync(join(root, "busy", "keep.txt"), "utf8")).toBe("mine");
  });

  it("a denied object's name cannot inject markup into report.html", async () => {
    const out = join(root, "html");
    expect(
      (await runCli(["evidence", "period", "--ledger", ledger, "--from", "2026-01-01", "--to", "2026-01-31", "--out", out])).code,
    ).toBe(0);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).not.toContain("<script>window.__pwned");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("a package location that is not an http(s) URL is shown as text, never linked", async () => {
    const dir = join(root, "js");
    mkdirSync(dir);
    writeFileSync(join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: a }\ndata: { a: b }\n");
    const location = "javascript:window.__pwned=7";
    const ledgerDir = join(dir, "ledger");
    const args = ["--no-config", "--no-git", "--out", join(dir, "pkg"), "--ledger", ledgerDir, "--location", location];
    expect((await runCli(["evidence", join(dir, "cm.yaml"), ...args])).stdout).toContain("UNSIGNED");
    const out = join(dir, "period");
    const day = readLedger(ledgerDir)[0]!.record.recordedAt.slice(0, 10);
    expect(
      (await runCli(["evidence", "period", "--ledger", ledgerDir, "--from", day, "--to", day, "--out", out, "--sample-size", "1"])).code,
    ).toBe(0);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain(`<code>${location}</code>`);
    expect(html).not.toMatch(/href="javascript/i);
  });
});
