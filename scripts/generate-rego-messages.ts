/**
 * Writes policies/lib/messages.rego (package `lib.messages`): the message templates of every
 * control.yaml, which policies/lib/violation.rego renders into each violation's `msg`. `--check`
 * fails when the committed file differs (drift).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { loadCatalog } from "../src/catalog/load.js";
import { regoMessagesModule } from "../src/gatekeeper/build.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../src/paths.js";

const file = join(POLICIES_DIR, "lib", "messages.rego");
const where = relative(PACKAGE_ROOT, file);
const controls = loadCatalog();
const text = regoMessagesModule(controls);

if (process.argv.includes("--check")) {
  if (!existsSync(file) || readFileSync(file, "utf8") !== text) {
    console.error(`${where} drifted from control.yaml. Run \`npx tsx scripts/generate-rego-messages.ts\` and commit.`);
    process.exit(1);
  }
  console.log(`${where} is up to date (${controls.length} controls)`);
} else {
  writeFileSync(file, text);
  console.log(`Wrote ${where} (${controls.length} controls)`);
}
