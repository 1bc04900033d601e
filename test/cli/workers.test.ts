/**
 * `--workers`: plain files are parsed in worker threads and the calling thread, and the report does not depend on how many:
 * the same findings, input errors (with their file:line) and not-audited files, in the same order.
 */
import { describe, expect, it } from "vitest";
import { parseThreadsStarted, streamsParsedHere } from "../../src/loaders/parse-pool.js";
import { PARALLEL_PARSE_MIN_BYTES } from "../../src/loaders/files-unit.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, PRIVILEGED_POD, tempTree } from "../helpers/tmp.js";

/** A file of `count` ConfigMaps with a payload each, and a privileged Pod in the middle. */
function bulkFile(index: number, count: number): string {
  const docs = Array.from({ length: count }, (_, i) => `${CONFIGMAP(`cm-${index}-${i}`)}  PAYLOAD: "${"x".repeat(3000)}"\n`);
  docs.splice(count / 2, 0, PRIVILEGED_POD(`debug-${index}`));
  return docs.join("---\n");
}

const tree = tempTree({
  ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`app/bulk-${i}.yaml`, bulkFile(i, 20)])),
  "app/broken.yaml": `${CONFIGMAP("fine")}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  labels: [unclosed\n`,
  "app/types.yaml": CONFIGMAP("typed").replace("data:\n  LOG_LEVEL: info", "data:\n  LOG_LEVEL: info\nimmutable: maybe"),
  "app/blob.yaml": Buffer.from([0x61, 0x00, 0x62, 0x00]),
  "app/notes.txt": "not a manifest\n",
});

async function jsonReport(workers: number): Promise<{ code: number; text: string }> {
  const r = await runCli([`${tree}/app`, "--no-config", "--format", "json", "--quiet", "--workers", String(workers)]);
  expect(r.stderr).toBe("");
  return { code: r.code, text: r.stdout.replace(/"generatedAt": "[^"]*"/, '"generatedAt": "<time>"') };
}

describe("--workers", () => {
  it("gives a byte-identical JSON report with 1 and 3 threads, findings, input errors and not-audited files included", async () => {
    const started = parseThreadsStarted();
    const parsedHere = streamsParsedHere();
    const one = await jsonReport(1);
    expect(parseThreadsStarted()).toBe(started);
    const three = await jsonReport(3);
    // Three threads in all: this one, which parses its share of the queue, and two more.
    expect(parseThreadsStarted() - started).toBe(2);
    expect(streamsParsedHere()).toBeGreaterThan(parsedHere);
    expect(three.code).toBe(one.code);
    expect(three.text).toBe(one.text);

    const report = JSON.parse(one.text);
    expect(report.inputs.reduce((n: number, f: { bytes: number }) => n + f.bytes, 0)).toBeGreaterThan(PARALLEL_PARSE_MIN_BYTES);
    expect(
      report.findings.filter((f: { status: string }) => f.status === "fail").map((f: { resource: { name: string } }) => f.resource.name),
    ).toEqual(expect.arrayContaining(Array.from({ length: 6 }, (_, i) => `debug-${i}`)));
    expect(report.inputErrors.map((e: { code: string; file: string; line?: number }) => [e.code, e.file.split("/").pop(), e.line])).toEqual(
      [
        ["BINARY_FILE", "blob.yaml", undefined],
        ["YAML_SYNTAX", "broken.yaml", 19],
        ["SCHEMA", "types.yaml", 14],
      ],
    );
    expect(report.notAudited.map((n: { path: string }) => n.path.split("/").pop())).toEqual(["blob.yaml", "notes.txt"]);
  });

  it("rejects a thread count below 1 as a usage error", async () => {
    const r = await runCli([`${tree}/app`, "--no-config", "--workers", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("expected a whole number of at least 1");
  });
});
