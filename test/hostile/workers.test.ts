/**
 * Parse threads (`--workers`) fail the way the main thread does: a hostile stream gives the same input
 * errors with the same file:line, and a thread that dies fails the run loudly instead of losing a file.
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createParsePool } from "../../src/loaders/parse-pool.js";
import { parseStream } from "../../src/loaders/parse-cached.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { ALIAS_BOMB, CONFIGMAP, tempTree } from "../helpers/tmp.js";

const STREAMS: Array<[string, string]> = [
  [
    "a syntax error in the second document",
    `${CONFIGMAP("ok")}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  labels: [open\n`,
  ],
  ["a duplicate key", `${CONFIGMAP("dup")}metadata:\n  name: again\n`],
  ["an alias bomb", `${CONFIGMAP("first")}---\n${ALIAS_BOMB}\n`],
  [
    "10,000 nested flow sequences",
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata:\n  x: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`,
  ],
  ["a field of the wrong type", CONFIGMAP("typed").replace("data:\n  LOG_LEVEL: info", "data:\n  LOG_LEVEL: info\nimmutable: maybe")],
];

describe("a parse thread reports bad input as the main thread does", () => {
  const pool = createParsePool(2);
  afterAll(() => pool.close());

  it.each(STREAMS)("%s: the same input errors, file and line", async (_name, text) => {
    const options = { file: "team/app.yaml", maxAliasCount: 100 };
    const inThread = await parseStream(text, options);
    const inWorker = await pool.parse(text, options);
    expect(inThread.errors.length).toBeGreaterThan(0);
    expect(inWorker.errors).toEqual(inThread.errors);
    expect(inWorker.errors.every((e) => e.file === "team/app.yaml" && typeof e.line === "number")).toBe(true);
    expect(inWorker.resources).toEqual(inThread.resources);
  });
});

describe("a parse thread that dies", () => {
  // 4 MiB of ConfigMaps: parsing them needs far more heap than the 80 MB each thread is given below.
  const tree = tempTree({ "small.yaml": CONFIGMAP("small") });
  const big = join(tree, "big.yaml");
  const fd = openSync(big, "w");
  // An anchor sends the whole file to yaml's document model (the fast path declines it), which needs the most heap.
  writeSync(fd, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &name anchored\n  namespace: erlmcp\n");
  for (let i = 0, written = 0; written < 4 * 1024 * 1024; i++) written += writeSync(fd, `---\n${CONFIGMAP(`cm-${i}`)}`);
  closeSync(fd);

  it("fails the run with exit 2, naming the file, and writes no report", () => {
    const script = `const { run } = await import(${JSON.stringify(join(PACKAGE_ROOT, "src/cli/main.ts"))}); await run(process.argv.slice(1));`;
    const r = spawnSync(
      process.execPath,
      [
        "--max-old-space-size=80",
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        script,
        tree,
        "--no-config",
        "--quiet",
        "--format",
        "json",
        "--workers",
        // Parse threads start from 3 workers (PARSE_THREADS_MIN_WORKERS).
        "3",
      ],
      { cwd: PACKAGE_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /a parse worker thread stopped \(exit code \d+: .*memory.*\) while parsing .*big\.yaml; the audit cannot go on without it/,
    );
    expect(r.stdout).toBe("");
  }, 180_000);
});
