/**
 * The JSON report is written in chunks (src/reporters/json-pieces.ts) so that a report of tens of megabytes
 * is never held whole: joined, the chunks must be JSON.stringify(report, null, 2) made inert, byte for byte,
 * whatever the report holds.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { jsonPieces } from "../../src/reporters/json-pieces.js";
import { json, jsonChunks } from "../../src/reporters/json.js";
import { FORMAT_NAMES, REPORTERS, reportChunks } from "../../src/reporters/index.js";
import { inertJson } from "../../src/reporters/sanitize.js";
import { batchedText } from "../../src/tools/batched-text.js";
import { replaceFile } from "../../src/tools/replace-file.js";
import type { AuditReport } from "../../src/report/types.js";
import { audit } from "../../src/audit.js";

const joined = (value: unknown) => [...jsonPieces(value)].join("");
const reference = (value: unknown) => JSON.stringify(value, null, 2) ?? "";

describe("jsonPieces", () => {
  it("joins to JSON.stringify(value, null, 2) for values at every depth, the pieces below the top depth whole", () => {
    const deep = { a: { b: { c: { d: { e: [1, { f: [] }, {}] } } } } };
    const cases: unknown[] = [
      null,
      0,
      "text",
      [],
      {},
      [[]],
      [{}],
      { a: [] },
      { a: {} },
      deep,
      [[[[[["deep"]]]]]],
      { network: { unit: { flows: [{ from: { id: "a" }, to: { id: "b" }, ports: [{ port: 53, name: null }] }] } } },
    ];
    for (const value of cases) expect(joined(value), JSON.stringify(value)).toBe(reference(value));
  });

  it("writes long arrays slice by slice at every depth, elements of any kind across the slices' edges", () => {
    const element = (i: number): unknown =>
      [i, `s${i}`, null, undefined, { a: [i, { b: i }], c: {} }, [i, [i]], [], {}, () => i, Number.NaN][i % 10];
    const long = (n: number) => Array.from({ length: n }, (_, i) => element(i));
    const cases: unknown[] = [
      long(200),
      { a: long(129) },
      { a: { b: long(64) } },
      { a: { b: { c: long(65) } } },
      { a: { b: { c: { d: long(130) } } } },
      [long(150), [long(3)], { x: long(70) }],
      Object.assign(new Array(140), { 5: "x", 100: { y: 1 } }),
    ];
    for (const value of cases) expect(joined(value)).toBe(reference(value));
  });

  it("leaves out what JSON.stringify leaves out, and writes null where it does", () => {
    const value = {
      gone: undefined,
      fn: () => 1,
      sym: Symbol("s"),
      kept: 1,
      list: [undefined, () => 1, Symbol("t"), Number.NaN, Infinity, -0],
      nested: { onlyGone: undefined },
      sparse: [1, , 3], // eslint-disable-line no-sparse-arrays
      allGone: { a: undefined, b: () => 0 },
    };
    expect(joined(value)).toBe(reference(value));
    expect(joined(undefined)).toBe("");
    expect(joined({ a: undefined })).toBe("{}");
  });

  it("keeps keys in JSON.stringify's order and spelling: integer-like first, own __proto__, escapes, lone surrogates", () => {
    const value = JSON.parse('{"b":1,"2":2,"a":3,"1":4,"__proto__":{"x":1},"q\\"uote":5,"line\\nbreak":6,"\\ud800":7}') as object;
    const nullProto = Object.assign(Object.create(null) as object, { z: 1, y: [2] });
    expect(joined(value)).toBe(reference(value));
    expect(joined({ nullProto })).toBe(reference({ nullProto }));
    expect(joined(["\u2028\u202e\u0000\ud800", "\n"])).toBe(reference(["\u2028\u202e\u0000\ud800", "\n"]));
  });

  it("writes a value with toJSON, a Date, a boxed primitive or a class instance as JSON.stringify does", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const value = {
      when: new Date(0),
      custom: { toJSON: () => ({ replaced: [1, 2] }) },
      boxed: [new String("s"), new Number(1), new Boolean(false)],
      point: new Point(1, 2),
      map: new Map([["k", 1]]),
      list: Object.assign([1, 2], { extra: "ignored" }),
    };
    expect(joined(value)).toBe(reference(value));
  });

  it("joins to JSON.stringify(value, null, 2) for any JSON value (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 7 }), (value) => joined(value) === reference(value)),
      { numRuns: 300 },
    );
  });

  it("joins to JSON.stringify for values with undefined members and odd keys (property)", () => {
    const key = fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "toString", "0", "10", "-1", "1.5"));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => joined(v) === reference(v)),
      { numRuns: 300 },
    );
  });
});

/** An audit's report whose input carries strings a terminal would act on, and a `__proto__` label. */
async function hostileReport(): Promise<AuditReport> {
  const root = mkdtempSync(join(tmpdir(), "json-chunks-"));
  writeFileSync(
    join(root, "app.yaml"),
    [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      '  name: "bidi-\\u202e-name"',
      "  namespace: team",
      "  labels:",
      '    "__proto__": "x"',
      "data:",
      '  note: "line\\u2028sep \\u0085 \\ufeff"',
      "---",
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: {name: web, namespace: team}",
      "spec:",
      "  selector: {matchLabels: {app: web}}",
      "  template:",
      "    metadata: {labels: {app: web}}",
      "    spec:",
      "      containers: [{name: web, image: 'nginx:latest', securityContext: {privileged: true}}]",
      "",
    ].join("\n"),
  );
  return audit([root], { config: false });
}

describe("the JSON report in chunks", () => {
  let report: AuditReport;
  beforeAll(async () => {
    report = await hostileReport();
  });

  it("is the report's JSON text made inert, chunk by chunk as whole: an audit's report with hostile strings", () => {
    expect(report.findings.length).toBeGreaterThan(0);
    const whole = inertJson(JSON.stringify(report, null, 2)) + "\n";
    expect(json(report)).toBe(whole);
    expect([...jsonChunks(report)].join("")).toBe(whole);
    expect([...reportChunks("json", report)].join("")).toBe(whole);
    expect(whole).not.toMatch(/[\u202e\u2028\u0085\ufeff]/);
    expect(whole).toContain("\\u202E");
    // Chunked small: inertJson at each chunk's edges, a finding cut anywhere.
    const small = [...batchedText(jsonPieces(report), 7)].map(inertJson).join("") + "\n";
    expect(small).toBe(whole);
  });

  it("gives every format's text, joined, as its reporter does", () => {
    for (const format of FORMAT_NAMES)
      for (const options of [{}, { color: true, verbose: true }])
        expect([...reportChunks(format, report, options)].join(""), format).toBe(REPORTERS[format](report, options));
  });
});

describe("batchedText", () => {
  it("joins pieces into chunks of at least the size, losing nothing", () => {
    const pieces = Array.from({ length: 100 }, (_, i) => "x".repeat(i % 7));
    const chunks = [...batchedText(pieces, 20)];
    expect(chunks.join("")).toBe(pieces.join(""));
    chunks.slice(0, -1).forEach((chunk) => expect(chunk.length).toBeGreaterThanOrEqual(20));
    expect([...batchedText([], 20)]).toEqual([]);
    expect([...batchedText(["", ""], 20)]).toEqual([]);
  });
});

describe("replaceFile with chunks", () => {
  it("writes the chunks in order", () => {
    const root = mkdtempSync(join(tmpdir(), "replace-chunks-"));
    replaceFile(join(root, "out.json"), ["a", "", "bc", "é"]);
    expect(readFileSync(join(root, "out.json"), "utf8")).toBe("abcé");
  });

  it("leaves the old file and no temporary file when a chunk cannot be made", () => {
    const root = mkdtempSync(join(tmpdir(), "replace-chunks-"));
    writeFileSync(join(root, "out.json"), "old report");
    function* failing() {
      yield "new ";
      throw new Error("cannot make the next chunk");
    }
    expect(() => replaceFile(join(root, "out.json"), failing())).toThrow("cannot make the next chunk");
    expect(readFileSync(join(root, "out.json"), "utf8")).toBe("old report");
    expect(readdirSync(root)).toEqual(["out.json"]);
  });
});
