// The parse floor of the benchmark: read every YAML file under a folder and turn each document into
// JavaScript objects with the `yaml` library (what any audit of these files must at least do).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const dir = process.argv[2];
let documents = 0;
for (const name of readdirSync(dir).sort()) {
  if (!name.endsWith(".yaml")) continue;
  for (const doc of parseAllDocuments(readFileSync(join(dir, name), "utf8"))) {
    if (doc.toJS() !== null) documents++;
  }
}
console.log(`${documents} documents`);
