import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isMap, isSeq } from "yaml";
import { slowDocuments } from "../helpers/yaml-documents.js";
import { makeCopy, renderReference, writeCorpus } from "../../scripts/bench/corpus.js";
import { parseFastYaml } from "../../src/loaders/fast-yaml.js";
import { parseManifestStream, parseWithDocuments } from "../../src/loaders/yaml.js";

const PACKAGE_ROOT = join(import.meta.dirname, "..", "..");
const OPTIONS = { file: "x.yaml" };
const RENDERED = { tool: "helm" as const, path: "chart" };

/** The line of every item of every sequence, by path, as `yaml`'s nodes place them. */
function slowItemLines(node: unknown, lineOf: (offset: number) => number, path: string, out: Map<string, number[]>): void {
  if (isMap(node))
    for (const pair of node.items)
      slowItemLines(pair.value, lineOf, `${path}.${String((pair.key as { value?: unknown }).value ?? "")}`, out);
  if (isSeq(node)) {
    out.set(
      path,
      node.items.map((item) => lineOf((item as { range: [number] }).range[0])),
    );
    node.items.forEach((item, i) => slowItemLines(item, lineOf, `${path}[${i}]`, out));
  }
}

function fastItemLines(value: unknown, itemLines: WeakMap<unknown[], number[]>, path: string, out: Map<string, number[]>): void {
  if (Array.isArray(value)) {
    out.set(path, itemLines.get(value)!);
    value.forEach((item, i) => fastItemLines(item, itemLines, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === "object")
    for (const [key, item] of Object.entries(value)) fastItemLines(item, itemLines, `${path}.${key}`, out);
}

/**
 * Asserts that the fast parser, when it accepts `text`, gives exactly `yaml`'s values (types included),
 * document count, start lines and item lines, and that parseManifestStream's result equals the slow path's.
 * Returns whether the fast parser accepted.
 */
function expectSameAsYaml(text: string, rendered = false): boolean {
  const fast = parseFastYaml(text, { rendered });
  const options = rendered ? { ...OPTIONS, renderedFrom: RENDERED } : OPTIONS;
  expect(parseManifestStream(text, options)).toStrictEqual(parseWithDocuments(text, options));
  if (fast === "unsure") return false;
  const slow = slowDocuments(text);
  expect(slow.map((d) => d.errors)).toEqual(slow.map(() => 0));
  expect(fast.documents.length).toBe(slow.length);
  fast.documents.forEach((document, i) => {
    const reference = slow[i]!;
    expect(document.value).toStrictEqual(reference.value);
    if (document.value === null) return;
    expect(document.line).toBe(reference.line);
    const expected = new Map<string, number[]>();
    slowItemLines(reference.doc.contents, reference.lineOf, "", expected);
    const actual = new Map<string, number[]>();
    fastItemLines(document.value, fast.itemLines, "", actual);
    expect(actual).toStrictEqual(expected);
  });
  return true;
}

function fieldPaths(value: unknown, path: Array<string | number>): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [path];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...fieldPaths(item, [...path, i])));
  else if (value !== null && typeof value === "object")
    for (const [key, item] of Object.entries(value)) out.push(...fieldPaths(item, [...path, key]));
  return out;
}

function yamlFilesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "node_modules") yamlFilesUnder(path, out);
    } else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

describe("fast YAML path", () => {
  it.each(["fixtures", "manifests", "test"])("gives yaml's values, lines and errors for every YAML file under %s/", (dir) => {
    const files = yamlFilesUnder(join(PACKAGE_ROOT, dir));
    const accepted = files.filter((file) => expectSameAsYaml(readFileSync(file, "utf8")));
    console.log(`fast path accepted ${accepted.length} of ${files.length} files under ${dir}/`);
    expect(files.length).toBeGreaterThan(0);
    if (dir !== "test") expect(accepted.length / files.length).toBeGreaterThan(0.5);
  });

  it("places fields exactly as yaml does when locators are asked for (fixtures and manifests)", () => {
    const files = [...yamlFilesUnder(join(PACKAGE_ROOT, "fixtures")), ...yamlFilesUnder(join(PACKAGE_ROOT, "manifests"))];
    let compared = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      if (parseFastYaml(text) === "unsure") continue;
      const fast = parseManifestStream(text, { ...OPTIONS, locateFields: true });
      const slow = parseWithDocuments(text, { ...OPTIONS, locateFields: true });
      expect(fast.resources).toStrictEqual(slow.resources);
      fast.resources.forEach((resource, i) => {
        const paths = fieldPaths(resource.object, []).slice(0, 40);
        paths.push(["no", "such", "field"], ["metadata", "no-such-key"]);
        for (const path of paths) {
          expect(fast.locators!.get(resource)!(path)).toStrictEqual(slow.locators!.get(slow.resources[i]!)!(path));
          compared++;
        }
      });
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("gives yaml's values for the Helm and Kustomize renders of manifests/ (the streams an audit parses)", () => {
    const engines = join(process.env.ERLMCP_AUDIT_ENGINES_DIR ?? join(homedir(), ".cache", "erlmcp-audit", "engines"), "bin");
    const env = { ...process.env, PATH: `${engines}:${process.env.PATH ?? ""}` };
    const run = (tool: string, args: string[]) =>
      execFileSync(tool, args, { cwd: PACKAGE_ROOT, env, encoding: "utf8", maxBuffer: 64 << 20 });
    const chart = "manifests/helm/erlmcp";
    const renders = [
      ...readdirSync(join(PACKAGE_ROOT, chart))
        .filter((name) => /^values.*\.yaml$/.test(name))
        .map((values) =>
          run("helm", [
            "template",
            "erlmcp",
            chart,
            "--include-crds",
            "--kube-version",
            "1.30.0",
            "--namespace",
            "erlmcp",
            "-f",
            `${chart}/${values}`,
          ]),
        ),
      ...readdirSync(join(PACKAGE_ROOT, "manifests/kustomize/overlays")).map((overlay) =>
        run("kustomize", ["build", `manifests/kustomize/overlays/${overlay}`]),
      ),
    ];
    expect(renders.length).toBeGreaterThan(4);
    for (const text of renders) expect(expectSameAsYaml(text, true)).toBe(true);
  }, 120_000);

  const corpusDir = mkdtempSync(join(tmpdir(), "fast-yaml-corpus-"));
  afterAll(() => rmSync(corpusDir, { recursive: true, force: true }));

  it("accepts every file of the bench corpus with yaml's values", async () => {
    const corpus = writeCorpus(await renderReference(PACKAGE_ROOT), corpusDir, 400);
    for (const file of corpus.files) expect(expectSameAsYaml(readFileSync(file, "utf8"))).toBe(true);
    const reference = await renderReference(PACKAGE_ROOT);
    expect(makeCopy(reference, 1).objects.length).toBeGreaterThan(10);
  }, 120_000);

  it("reads the 1.1 scalars, quoting, block scalars and lines as yaml does (examples)", () => {
    const text = [
      "# head",
      "---",
      "apiVersion: v1",
      "kind: List",
      "items:",
      "- apiVersion: v1",
      "  kind: ConfigMap",
      "  metadata: {name: a}",
      "  data:",
      "    bools: [yes, no, on, off, Y, N, 'yes', \"on\"]",
      "    ints: [0x1f, 0o17, 017, 1_000, 1:30, 0b11, -1]",
      "    floats: [.inf, -.Inf, .NaN, 1e3, 6.8523015e+5]",
      "    time: 2001-12-14",
      "    nulls: [~, null, Null]",
      "    empty:",
      "    lit: |+",
      "      x",
      "",
      "    fold: >2-",
      "       a",
      "      b",
      "      c",
      '    esc: "\\x41\\u00e9\\N\\_\\t\\""',
      "-",
      "  apiVersion: v1",
      "  kind: Secret",
      "  metadata:",
      "    name: b",
      "...",
      "",
    ].join("\n");
    expect(expectSameAsYaml(text)).toBe(true);
    const { resources } = parseManifestStream(text, OPTIONS);
    expect(resources.map((r) => [r.ref.name, r.source.line])).toEqual([
      ["a", 6],
      ["b", 25],
    ]);
    const data = resources[0]!.object.data as Record<string, unknown>;
    expect(data.bools).toEqual([true, false, true, false, true, false, "yes", "on"]);
    // As kubectl reads them (go-yaml v2): 0o17 is octal, 1:30 and timestamps stay text.
    expect(data.ints).toEqual([31, 15, 15, 1000, "1:30", 3, -1]);
    expect(data.time).toBe("2001-12-14");
    const fast = parseFastYaml(text);
    expect(fast !== "unsure" && (fast.documents[0]!.value as any).items[0].data.time).toBe("2001-12-14");
  });

  it("reads `{{` inside values as data in a render, and leaves it to yaml's template check elsewhere", () => {
    const text =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\ndata:\n  summary: Pod {{ $labels.pod }} restarts\n  q: '{{ .x }}'\n";
    expect(expectSameAsYaml(text, true)).toBe(true);
    expect(parseManifestStream(text, { ...OPTIONS, renderedFrom: RENDERED }).resources[0]!.object.data).toEqual({
      summary: "Pod {{ $labels.pod }} restarts",
      q: "{{ .x }}",
    });
    expect(parseFastYaml(text)).toBe("unsure");
    const asFile = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n";
    expect(parseFastYaml(asFile, { rendered: true })).toBe("unsure");
    expect(parseManifestStream(asFile, OPTIONS).errors.map((e) => e.code)).toEqual(["TEMPLATED_YAML"]);
  });

  it.each([
    ["an alias bomb", `a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n`],
    ["an anchor", "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: a}\n"],
    ["a tag", "apiVersion: v1\nkind: ConfigMap\ndata: !!binary aGVsbG8=\n"],
    ["a merge key", "apiVersion: v1\nkind: ConfigMap\n<<: {a: 1}\n"],
    ["duplicate keys", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\n"],
    ["duplicate keys, one quoted", "apiVersion: v1\nkind: ConfigMap\n'kind': Secret\n"],
    ["a tab in the indentation", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n"],
    ["a tab after a key", "apiVersion: v1\nkind:\tConfigMap\n"],
    ["deep nesting", `apiVersion: v1\nkind: ConfigMap\n${Array.from({ length: 300 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")} 1\n`],
    ["a template", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n"],
    ["a directive", "%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\n"],
    ["a multi-line quoted scalar", 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: "b\n    c"\n'],
    ["a comment inside a multi-line plain scalar", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n    # c\n    d\n"],
    ["a multi-line flow collection", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a,\n  namespace: b}\n"],
    ["a complex key", "? a\n: b\n"],
    ["keys 1 and '1' (one property)", "apiVersion: v1\nkind: ConfigMap\ndata:\n  1: a\n  '1': b\n"],
    ["keys 0x10 and 16 (duplicates for yaml)", "apiVersion: v1\nkind: ConfigMap\ndata:\n  0x10: a\n  16: b\n"],
    ["a nested compact mapping", "apiVersion: v1\nkind: ConfigMap\ndata: a: b\n"],
    ["a bad indentation", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: a\n  namespace: b\n"],
    ["a bad escape", 'apiVersion: v1\nkind: ConfigMap\ndata: {a: "\\q"}\n'],
    ["an unterminated quote", "apiVersion: v1\nkind: 'ConfigMap\n"],
    ["junk after a quote", "apiVersion: v1\nkind: 'ConfigMap' x\n"],
    ["a root sequence", "- a\n- b\n"],
    ["a root scalar", "just text\n"],
    ["content after the document end", "a: 1\n...\nb: 2\n"],
    ["a quoted key that looks like a template", "apiVersion: v1\nkind: ConfigMap\ndata:\n  '{x}': 1\n"],
    ["a flow key that looks like a template", "apiVersion: v1\nkind: ConfigMap\ndata: {'{x}': 1}\n"],
    ["a lone CR (a character inside a line for yaml)", "apiVersion: v1\rkind: ConfigMap\r\n"],
    ["a byte-order mark", "\ufeffapiVersion: v1\nkind: ConfigMap\n"],
  ])("leaves %s to yaml, with yaml's errors", (_name, text) => {
    expect(parseFastYaml(text)).toBe("unsure");
    expect(parseManifestStream(text, OPTIONS)).toStrictEqual(parseWithDocuments(text, OPTIONS));
  });

  it("keeps yaml's error codes for the hostile inputs it leaves to yaml", () => {
    const codes = (text: string) => parseManifestStream(text, OPTIONS).errors.map((e) => e.code);
    expect(codes("apiVersion: v1\nkind: ConfigMap\nkind: Secret\n")).toEqual(["YAML_DUPLICATE_KEY"]);
    expect(codes("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n")).toEqual(["YAML_SYNTAX"]);
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const name = String.fromCharCode(97 + i);
      levels.push(
        `${name}: &${name} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    }
    expect(codes(`apiVersion: v1\nkind: ConfigMap\ndata:\n${levels.map((l) => `  ${l}`).join("\n")}\n`)).toEqual(["YAML_ALIAS_LIMIT"]);
    const deep = `apiVersion: v1\nkind: ConfigMap\ndata: ${"[".repeat(300)}${"]".repeat(300)}\n`;
    expect(codes(deep)).toEqual(["YAML_TOO_DEEP"]);
  });

  it("gives yaml's values for random manifests in every scalar style", () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(streamArbitrary, fc.boolean(), (text, rendered) => {
        runs++;
        if (expectSameAsYaml(text, rendered)) accepted++;
      }),
      { numRuns: Number(process.env.FAST_YAML_RUNS ?? 1500) },
    );
    console.log(`fast path accepted ${accepted} of ${runs} random streams`);
    expect(accepted / runs).toBeGreaterThan(0.5);
  }, 120_000);
});

const EDGE_PLAIN = [
  "yes",
  "no",
  "on",
  "off",
  "Y",
  "N",
  "y",
  "n",
  "true",
  "False",
  "TRUE",
  "~",
  "null",
  "Null",
  "NULL",
  "0x1f",
  "0o17",
  "017",
  "08",
  "1_000",
  "1:30",
  "190:20:30",
  "-1:30",
  ".inf",
  "-.inf",
  "+.INF",
  ".NaN",
  ".nan",
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  "2001-12-14 21:59:43.10 -5",
  "1e3",
  "1.5",
  "-0",
  "+12",
  "0b1010",
  "+.5",
  "6.8523015e+5",
  "685.230_15e+03",
  "12:30:00.5",
  "0.",
  "1.",
  "abc",
  "hello world",
  "a-b",
  "http://x.y/z?q=1",
  "v1",
  "1.2.3",
  "0",
  "=",
  "a#b",
  "-x",
  "-1",
  "foo:bar",
  "x y  z",
  "é ü",
  "1Gi",
  "500m",
  "a {{ $labels.pod }}",
  "x{{y}}",
];
const WORDS = ["a", "name", "app.kubernetes.io/name", "x-y", "key_1", "items", "data", "spec", "Z"];

const edgeText = fc.oneof(fc.constantFrom(...EDGE_PLAIN), fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 6 }));
const plain = fc.constantFrom(...EDGE_PLAIN);
const singleQuoted = edgeText.map((s) => `'${s.replaceAll("'", "''")}'`);
const doubleQuoted = fc.oneof(
  edgeText.map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\x41\\e\\N\\_\\L\\P\\/\\ \\0\\a\\v"', '"tab\\there"', '"\\U0001F600"', '"a\\"b"'),
);
const flow = fc.oneof(
  fc.constant("{}"),
  fc.constant("[]"),
  fc.array(fc.oneof(plain, singleQuoted, doubleQuoted), { minLength: 1, maxLength: 4 }).map((items) => `[${items.join(", ")}]`),
  fc
    .uniqueArray(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 })
    .chain((keys) => fc.tuple(...keys.map((k) => fc.oneof(plain, singleQuoted, doubleQuoted).map((v) => `${k}: ${v}`))))
    .map((pairs) => `{${pairs.join(", ")}}`),
);
const nestedFlow = fc.oneof(
  fc.tuple(flow, flow).map(([a, b]) => `[${a}, ${b}]`),
  fc.tuple(flow, fc.oneof(plain, doubleQuoted)).map(([a, b]) => `{a: ${a}, "b": ${b}}`),
  fc.tuple(fc.oneof(plain, doubleQuoted), flow).map(([a, b]) => `{"k":${a}, 'q':${b}}`),
  fc.constantFrom("{drop: [ALL]}", '{"a":1,"b":[x, "y"]}', "[[a], {b: c}, []]", "{a: {b: {c: d}}}", "[a, [b, [c]]]"),
);
const comment = fc.oneof(fc.constant(""), fc.constant(""), fc.constant(" # trailing"), fc.constant("  #: x"));
const inlineScalar = fc.tuple(fc.oneof(plain, plain, singleQuoted, doubleQuoted, flow, nestedFlow), comment).map(([s, c]) => `${s}${c}`);

const blockLine = fc.oneof(
  fc.constantFrom("text", "two words", "key: value", "- item", "# not a comment", "a\tb", "---", "trailing  "),
  fc.constantFrom("", "", "  indented", "    more"),
);
interface Block {
  header: string;
  lines: string[];
}
const blockScalar = fc
  .record({
    style: fc.constantFrom("|", ">"),
    chomp: fc.constantFrom("", "-", "+"),
    explicit: fc.boolean(),
    lines: fc.array(blockLine, { minLength: 1, maxLength: 5 }),
    trailing: fc.integer({ min: 0, max: 2 }),
    comment: fc.constantFrom("", " # c"),
  })
  .map(({ style, chomp, explicit, lines, trailing, comment }): Block => {
    const body = lines.some((l) => l.trim()) ? lines : [...lines, "x"];
    const needsIndicator = body.find((l) => l.trim())!.startsWith(" ");
    return {
      header: `${style}${explicit || needsIndicator ? "2" : ""}${chomp}${comment}`,
      lines: [...body, ...Array(trailing).fill("")],
    };
  });

type Node =
  | { kind: "inline"; text: string }
  | { kind: "block"; block: Block }
  | { kind: "map"; entries: Array<[string, Node]> }
  | { kind: "seq"; items: Node[] };

const keyText = fc.oneof(
  { arbitrary: fc.constantFrom(...WORDS), weight: 300 },
  { arbitrary: fc.constantFrom("'yes'", '"on"', "'a b'", '"k\\tq"', "'1'"), weight: 40 },
  { arbitrary: fc.constantFrom("yes", "1", "~", "8080", "0x1f", "1.0", ".inf", "1:30", "2001-12-14"), weight: 10 },
);
const { node } = fc.letrec<{ node: Node; map: Node; seq: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    inlineScalar.map((text): Node => ({ kind: "inline", text })),
    blockScalar.map((block): Node => ({ kind: "block", block })),
    tie("map"),
    tie("seq"),
  ),
  map: fc
    .uniqueArray(fc.tuple(keyText, tie("node")), { minLength: 1, maxLength: 4, selector: ([k]) => k })
    .map((entries): Node => ({ kind: "map", entries })),
  seq: fc.array(tie("node"), { minLength: 1, maxLength: 4 }).map((items): Node => ({ kind: "seq", items })),
}));

/** Renders `node` as the value of `- ` or `key:` whose collection is at `indent`; `sameIndentSeq` puts a map value's sequence at the key's column. */
function renderValue(value: Node, indent: number, sameIndentSeq: boolean, out: string[], head: string): void {
  const pad = " ".repeat(indent);
  if (value.kind === "inline") out.push(`${head} ${value.text}${value.text.length % 4 === 0 ? "  " : ""}`);
  else if (value.kind === "block") {
    out.push(`${head} ${value.block.header}`);
    for (const line of value.block.lines) out.push(line ? `${pad}  ${line}` : line);
  } else {
    out.push(head);
    if (value.kind === "seq" && sameIndentSeq) renderSeq(value, indent, out);
    else renderNode(value, indent + 2, out);
  }
}

function renderNode(value: Node, indent: number, out: string[]): void {
  if (value.kind === "map") renderMap(value, indent, out);
  else if (value.kind === "seq") renderSeq(value, indent, out);
  else renderValue(value, indent, false, out, `${" ".repeat(indent)}v:`);
}

function renderMap(value: Extract<Node, { kind: "map" }>, indent: number, out: string[], firstHead?: string): void {
  value.entries.forEach(([key, item], i) => {
    const head = i === 0 && firstHead !== undefined ? `${firstHead}${key}:` : `${" ".repeat(indent)}${key}:`;
    if (i % 3 === 2) out.push(`${" ".repeat(indent + (key.length % 3))}# between`);
    renderValue(item, indent, key.length % 2 === 0, out, head);
  });
}

function renderSeq(value: Extract<Node, { kind: "seq" }>, indent: number, out: string[]): void {
  const pad = " ".repeat(indent);
  value.items.forEach((item, i) => {
    const extra = i % 3 === 1 ? 2 : 0;
    if (item.kind === "map" && i % 2 === 0) renderMap(item, indent + 2 + extra, out, `${pad}-${" ".repeat(1 + extra)}`);
    else if (item.kind === "map" || item.kind === "seq") {
      out.push(`${pad}-`);
      renderNode(item, indent + 2, out);
    } else renderValue(item, indent, false, out, `${pad}-`);
  });
}

const documentArbitrary = fc
  .tuple(fc.uniqueArray(fc.tuple(keyText, node), { minLength: 1, maxLength: 5, selector: ([k]) => k }), fc.boolean(), fc.boolean())
  .map(([entries, manifest, list]) => {
    const out: string[] = [];
    if (manifest) out.push("apiVersion: v1", list ? "kind: List" : "kind: ConfigMap");
    const rest = entries.filter(([k]) => !(manifest && ["apiVersion", "kind"].includes(k)) && !(manifest && list && k === "items"));
    if (rest.length) renderMap({ kind: "map", entries: rest }, 0, out);
    if (manifest && list) out.push("items:", "- apiVersion: v1", "  kind: Secret", "-", "  apiVersion: v1", "  kind: Pod");
    return out.join("\n");
  });

const streamArbitrary = fc
  .tuple(
    fc.array(documentArbitrary, { minLength: 1, maxLength: 3 }),
    fc.constantFrom("---\n", "# lead\n---\n", "", "\n"),
    fc.constantFrom("\n", "\n...\n", "\n# tail\n", "", "\n---\n"),
  )
  .map(([documents, lead, tail]) => lead + documents.join("\n---\n") + tail);
