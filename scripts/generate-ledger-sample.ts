/**
 * Writes the committed sample ledger reports/ledger-sample/: the runs and admission decisions of
 * scripts/ledger-sample.ts, records signed with a key made for the occasion and thrown away (its
 * public key is signer.pub.pem). A ledger is append-only history: this is run once, by hand, not by
 * `npm run generate`; scripts/generate-reports.ts builds the period example reports/period/ from it.
 * The packages are not committed: rebuild any of them with `--package <n> --out <dir>` (unsigned,
 * byte-identical to the hashes the ledger records while the tool version and policy bundle are the same).
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildScenarioLedger, recordScenarioRun, SCENARIO_RUNS } from "./ledger-sample.js";

const ROOT = resolve(import.meta.dirname, "..");
const LEDGER = join(ROOT, "reports", "ledger-sample");
/** Where the sample says each run's package is archived (fictional). */
export const sampleLocation = (n: number) => `https://ci.example.com/erlmcp/runs/${n}/evidence/`;

const work = mkdtempSync(join(tmpdir(), "erlmcp-ledger-sample-"));
try {
  const at = process.argv.indexOf("--package");
  if (at >= 0) {
    const n = Number(process.argv[at + 1]);
    const out = process.argv[process.argv.indexOf("--out") + 1];
    const run = SCENARIO_RUNS[n - 1];
    if (!run || !out || process.argv.indexOf("--out") < 0) throw new Error(`usage: --package <1-${SCENARIO_RUNS.length}> --out <dir>`);
    await recordScenarioRun(run, join(work, "src"), resolve(out), join(work, "ledger"), { location: sampleLocation(n) });
    console.log(`Wrote the package of run ${n} (${run.time}, commit ${run.commit}) to ${out}.`);
  } else {
    if (existsSync(LEDGER)) throw new Error(`${LEDGER} exists: a ledger is only appended to; remove it first to rebuild the sample.`);
    const keys = generateKeyPairSync("ed25519");
    await buildScenarioLedger(LEDGER, work, { signKey: keys.privateKey, location: sampleLocation, signPackages: false });
    writeFileSync(join(LEDGER, "signer.pub.pem"), keys.publicKey.export({ type: "spki", format: "pem" }));
    console.log(`Wrote ${LEDGER} (records signed by signer.pub.pem; the private key was not kept).`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
