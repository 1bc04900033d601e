/**
 * Writes policies/dist/catalog.json: every control.yaml validated (src/catalog/load.ts) and stored under
 * the digest of its source files, which runs load instead of validating again (src/catalog/compiled.ts).
 * `--check` fails when the committed file differs (drift).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { COMPILED_CATALOG, compiledCatalogText } from "../src/catalog/compiled.js";
import { validateCatalog } from "../src/catalog/load.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../src/paths.js";

const file = join(POLICIES_DIR, "dist", COMPILED_CATALOG);
const where = relative(PACKAGE_ROOT, file);
const text = compiledCatalogText(POLICIES_DIR, validateCatalog());
const current = (() => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
})();
if (process.argv.includes("--check")) {
  if (current !== text) {
    console.error(`${where} drifted from the control.yaml files: run \`npx tsx scripts/generate-catalog.ts\` and commit.`);
    process.exit(1);
  }
  console.log(`${where} is up to date`);
} else {
  writeFileSync(file, text);
  console.log(`${where}: ${JSON.parse(text).controls.length} controls`);
}
