/**
 * Micro-benchmark of the parse step alone: the fast YAML path (src/loaders/fast-yaml.ts) against the
 * `yaml` Document path, on the files of the bench corpus, in one process.
 *
 *   npx tsx scripts/bench/fast-parse.ts [resources=10000] [rounds=2]
 *
 * Both paths are called as the loader calls them (`locateFields: true`). Prints, per round, the wall
 * time of each path over all files, how many files the fast path accepted,
 * and the load average at the start (the machine may be shared: compare ratios, not absolute times).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseFastYaml } from "../../src/loaders/fast-yaml.js";
import { parseManifestStream, parseWithDocuments } from "../../src/loaders/yaml.js";
import { renderReference, writeCorpus } from "./corpus.js";

const resources = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 2);

function time(label: string, texts: ReadonlyArray<{ file: string; text: string }>, parse: (text: string, file: string) => number): number {
  const start = performance.now();
  let count = 0;
  for (const { file, text } of texts) count += parse(text, file);
  const seconds = (performance.now() - start) / 1000;
  console.log(`  ${label.padEnd(42)} ${seconds.toFixed(2)} s  (${count} resources)`);
  return seconds;
}

const dir = mkdtempSync(join(tmpdir(), "erlmcp-fast-parse-"));
try {
  const corpus = writeCorpus(await renderReference(process.cwd()), dir, resources);
  const texts = corpus.files.map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const accepted = texts.filter(({ text }) => parseFastYaml(text) !== "unsure").length;
  const bytes = texts.reduce((n, t) => n + t.text.length, 0);
  console.log(
    `${corpus.resources} resources in ${texts.length} files (${(bytes / 1e6).toFixed(1)} MB); fast path accepts ${accepted} of ${texts.length} files`,
  );
  console.log(
    `node ${process.version}, load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round} (load average ${loadavg()[0]!.toFixed(2)})`);
    const slow = time(
      "yaml Documents (parseWithDocuments)",
      texts,
      (text, file) => parseWithDocuments(text, { file, locateFields: true }).resources.length,
    );
    const fast = time(
      "fast path (parseManifestStream)",
      texts,
      (text, file) => parseManifestStream(text, { file, locateFields: true }).resources.length,
    );
    const raw = time("fast parser alone (parseFastYaml)", texts, (text) => {
      const parsed = parseFastYaml(text);
      return parsed === "unsure" ? 0 : parsed.documents.length;
    });
    console.log(`  speed-up: ${(slow / fast).toFixed(2)}× (parser alone ${(slow / raw).toFixed(2)}×)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
