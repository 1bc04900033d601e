/**
 * Writes policies/dist/catalog.json: every control.yaml validated (src/catalog/load.ts) and stored under
 * the digest of its source files, which runs load instead of validating again (src/catalog/compiled.ts);
 * and policies/dist/kinds.json: the kind catalog's data under the digest of its text (src/catalog/kinds.ts).
 * `--check` fails when a committed file differs (drift).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { COMPILED_CATALOG, compiledCatalogText } from "../src/catalog/compiled.js";
import { KINDS_FILE, STORED_KINDS_FILE, storedKindsText } from "../src/catalog/kinds.js";
import { validateCatalog } from "../src/catalog/load.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../src/paths.js";

const outputs = [
  {
    file: join(POLICIES_DIR, "dist", COMPILED_CATALOG),
    text: compiledCatalogText(POLICIES_DIR, validateCatalog()),
    sources: "the control.yaml files",
  },
  {
    file: STORED_KINDS_FILE,
    text: storedKindsText(readFileSync(KINDS_FILE, "utf8"), relative(PACKAGE_ROOT, KINDS_FILE)),
    sources: "policies/_kinds.yaml",
  },
];
let drifted = false;
for (const { file, text, sources } of outputs) {
  const where = relative(PACKAGE_ROOT, file);
  const current = (() => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  })();
  if (!process.argv.includes("--check")) {
    writeFileSync(file, text);
    console.log(`${where} written`);
  } else if (current !== text) {
    console.error(`${where} drifted from ${sources}: run \`npx tsx scripts/generate-catalog.ts\` and commit.`);
    drifted = true;
  } else console.log(`${where} is up to date`);
}
if (drifted) process.exit(1);
