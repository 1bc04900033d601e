import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormatsImport from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScenarioLedger, SCENARIO_DECISION_LOG } from "../../scripts/ledger-sample.js";
import { drawSample, sampleSize } from "../../src/evidence/period/index.js";
import { appendAdmission, RECORDS_DIR, recordFile } from "../../src/ledger/index.js";
import { runCli } from "../helpers/cli.js";

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const keys = generateKeyPairSync("ed25519");
const root = mkdtempSync(join(tmpdir(), "erlmcp-period-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, "public.pem"), keys.publicKey.export({ type: "spki", format: "pem" }));
const LEDGER = join(root, "ledger");
const OUT = join(root, "period");
const period = (out: string, ...extra: string[]) =>
  runCli(["evidence", "period", "--ledger", LEDGER, "--from", "2026-01-01", "--to", "2026-01-14", "--out", out, ...extra]);
const read = (name: string, dir = OUT) => readFileSync(join(dir, name), "utf8");
/** CSV rows as arrays of cells (the files quote every cell and hold no embedded line breaks here). */
const rows = (name: string, dir = OUT) =>
  read(name, dir)
    .trimEnd()
    .split("\r\n")
    .slice(1)
    .map((line) => line.slice(1, -1).split('","'));

beforeAll(async () => {
  await buildScenarioLedger(LEDGER, join(root, "work"), {
    signKey: keys.privateKey,
    location: (n) => `https://ci.example.com/erlmcp/runs/${n}/evidence/`,
  });
  const result = await period(OUT, "--public-key", join(root, "public.pem"));
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
}, 120_000);

describe("evidence period", () => {
  it("writes the report, both OSCAL documents, the CSVs and a manifest of their hashes", () => {
    expect(readdirSync(OUT).sort()).toEqual([
      "admission-denials.csv",
      "admission-denied-objects.csv",
      "assessment-results.json",
      "failures.csv",
      "gaps.csv",
      "manifest.json",
      "plan-of-action-and-milestones.json",
      "report.html",
      "runs.csv",
      "sample.csv",
      "waivers.csv",
    ]);
  });

  it("the assessment results (with the period's start and end) and the POA&M validate against OSCAL 1.1.3", () => {
    const validate = addFormats(new Ajv({ unicodeRegExp: true, strict: false, allErrors: true })).compile(
      JSON.parse(readFileSync("test/schemas/oscal_complete_schema-1.1.3.json", "utf8")),
    );
    const results = JSON.parse(read("assessment-results.json"));
    expect(validate(results), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const result = results["assessment-results"].results[0];
    expect(result).toMatchObject({ start: "2026-01-01T00:00:00.000Z", end: "2026-01-15T00:00:00.000Z" });
    expect(result.observations.filter((o: { title: string }) => o.title.startsWith("Run "))).toHaveLength(13);
    const hostAccess = result.findings.find((f: { target: { "target-id": string } }) => f.target["target-id"] === "pod-no-host-access");
    expect(hostAccess.target.status.state).toBe("not-satisfied");
    expect(hostAccess["related-observations"]).toHaveLength(6);
    expect(result.risks).toMatchObject([{ title: "Waiver WVR-0042: pod-no-host-access", status: "deviation-approved" }]);

    const poam = JSON.parse(read("plan-of-action-and-milestones.json"));
    expect(validate(poam), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const items = poam["plan-of-action-and-milestones"]["poam-items"];
    expect(items).toHaveLength(1);
    expect(items[0].title).toBe("pod-no-host-access: Pod shop/web (pod.yaml)");
    expect(items[0].description).toContain("Failing since run 14 at 2026-01-14T18:00:00.000Z");
  });

  it("lists every run of the period and none outside it, with commit, result and package link", () => {
    const runs = rows("runs.csv");
    expect(runs.map((r) => r[0])).toEqual(["2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14"]);
    expect(runs[2]!.slice(2, 8)).toEqual(["2026-01-03T09:00:00.000Z", "04".repeat(20), "false", "pod.yaml", "production", "fail"]);
    expect(runs[0]).toContain("https://ci.example.com/erlmcp/runs/2/evidence/");
  });

  it("shows each failure with the time until it was fixed, and the failure still open at the end", () => {
    const failures = rows("failures.csv");
    expect(failures.map((f) => [f[5], f[7], f[10], f[12], f[13], f[14]])).toEqual([
      ["The pod template sets `hostNetwork: true` and shares the node's namespace.", "4", "6", "fixed", "54.5", "no"],
      ["Container app runs `privileged: true`.", "10", "13", "fixed", "64", "no"],
      ["Container app runs `privileged: true`.", "14", "", "", "", "yes"],
    ]);
  });

  it("lists the waivers in force with their approval, the days without a run, and admission denials per control", () => {
    expect(rows("waivers.csv")).toEqual([
      [
        "WVR-0042",
        "pod-no-host-access",
        "platform-team",
        "ciso@example.com",
        "2026-01-06",
        "SEC-4242",
        "2026-03-31",
        "active",
        "2026-01-07T09:00:00.000Z",
        "2026-01-14T18:00:00.000Z",
        "8",
        "1",
        "Legacy health probe binds the host port until the load balancer migration (LB-7).",
      ],
    ]);
    expect(rows("gaps.csv")).toEqual([
      ["2026-01-06", "2026-01-06", "1"],
      ["2026-01-08", "2026-01-09", "2"],
    ]);
    expect(rows("admission-denials.csv")).toEqual([
      ["pod-no-host-access", "2", "0", "1", "0"],
      ["pod-readonly-rootfs", "0", "1", "0", "0"],
    ]);
    expect(rows("admission-denied-objects.csv").map((d) => `${d[3]} ${d[4]}/${d[5]} ${d[7]}`)).toEqual([
      "Pod shop/debug denied",
      "Pod batch/miner denied",
      "Pod shop/huge over-limit",
    ]);
  });

  it("draws a reproducible sample: the rule's size, the seed recorded, the same runs for the same seed", async () => {
    const sample = rows("sample.csv");
    expect(sample).toHaveLength(5);
    const seed = sample[0]![8]!;
    expect(sample.every((r) => r[8] === seed && r[9] === "13" && r[10] === "5")).toBe(true);
    expect(sample[0]![6]).toMatch(/^https:\/\/ci\.example\.com\/erlmcp\/runs\/\d+\/evidence\/$/);

    const again = join(root, "again");
    expect((await period(again, "--seed", seed, "--public-key", join(root, "public.pem"))).code).toBe(0);
    for (const name of readdirSync(OUT)) expect(read(name, again), name).toBe(read(name));

    const other = join(root, "other-seed");
    expect((await period(other, "--seed", "auditor-2026", "--sample-size", "7")).code).toBe(0);
    const drawn = rows("sample.csv", other);
    expect(drawn).toHaveLength(7);
    expect(drawn[0]![8]).toBe("auditor-2026");
    expect(new Set(drawn.map((r) => r[1])).size).toBe(7);
    expect(read("report.html", other)).toContain("Signatures</dt><dd>NOT CHECKED");
  });

  it("refuses to report from a ledger that does not verify, naming the record", async () => {
    const ledger = join(root, "tampered");
    cpSync(LEDGER, ledger, { recursive: true });
    const file = join(ledger, RECORDS_DIR, recordFile(7));
    writeFileSync(file, readFileSync(file, "utf8").replace('"exitCode": 0', '"exitCode": 1'));
    const result = await runCli([
      "evidence",
      "period",
      "--ledger",
      ledger,
      "--from",
      "2026-01-01",
      "--to",
      "2026-01-14",
      "--out",
      join(root, "x"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the ledger does not verify");
    expect(result.stderr).toContain(`record 8 (${RECORDS_DIR}/${recordFile(8)}): its previousSha256`);
  });
});

describe("a period without runs", () => {
  it("still gives valid OSCAL documents, every day a gap, an empty sample and no open item", async () => {
    const ledger = join(root, "admission-only");
    appendAdmission(SCENARIO_DECISION_LOG, ledger, { intervalMs: 86_400_000 });
    const out = join(root, "empty-period");
    const result = await runCli(["evidence", "period", "--ledger", ledger, "--from", "2026-01-01", "--to", "2026-01-05", "--out", out]);
    expect(result.code).toBe(0);
    const validate = addFormats(new Ajv({ unicodeRegExp: true, strict: false, allErrors: true })).compile(
      JSON.parse(readFileSync("test/schemas/oscal_complete_schema-1.1.3.json", "utf8")),
    );
    for (const name of ["assessment-results.json", "plan-of-action-and-milestones.json"]) {
      const document = JSON.parse(read(name, out));
      expect(validate(document), `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
    expect(rows("runs.csv", out)).toEqual([]);
    expect(rows("sample.csv", out)).toEqual([]);
    expect(rows("gaps.csv", out)).toEqual([["2026-01-01", "2026-01-05", "5"]]);
    expect(rows("admission-denials.csv", out)).toEqual([
      ["pod-no-host-access", "1", "0", "0", "0"],
      ["pod-readonly-rootfs", "0", "1", "0", "0"],
    ]);
  });
});

describe("sample size and draw", () => {
  it("follows the table for recurring controls and never exceeds the population", () => {
    expect([0, 1, 2, 4, 5, 12, 13, 52, 53, 365, 366, 5000].map(sampleSize)).toEqual([0, 1, 2, 2, 2, 2, 5, 5, 20, 20, 25, 25]);
  });

  it("draws distinct indices, fixed by the seed", () => {
    const a = drawSample(100, 20, "s");
    expect(new Set(a).size).toBe(20);
    expect(a.every((i) => i >= 0 && i < 100)).toBe(true);
    expect(drawSample(100, 20, "s")).toEqual(a);
    expect(drawSample(100, 20, "t")).not.toEqual(a);
    expect(drawSample(3, 5, "s").sort()).toEqual([0, 1, 2]);
  });
});
