/**
 * The fast locator of block YAML (src/locate/block-yaml.ts, fast-position.ts) gives exactly what the
 * `yaml`-based positionOf gives, for every path of every object (existing fields, missing children,
 * the object itself) of every fixture, manifest and location case, and of random block YAML; where
 * it is not certain it says so and positionOf answers. Any difference fails.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMap, isScalar, isSeq, type Document } from "yaml";
import type { FieldPath } from "../../src/k8s/field-path.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { BlockIndex } from "../../src/locate/block-yaml.js";
import { fastPositionOf, UNSURE } from "../../src/locate/fast-position.js";
import { parseYaml, positionOf, type YamlFile } from "../../src/locate/yaml-file.js";

interface Tally {
  fast: number;
  fallback: number;
  differences: string[];
}

const MISSING = "zz-missing";

/** Every path below `node` (keys and items as positionOf reads them), plus a missing child of each node. */
function pathsOf(node: unknown, prefix: FieldPath, out: FieldPath[], depth = 0): void {
  out.push(prefix);
  if (depth > 40) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      pathsOf(pair.value, [...prefix, typeof key === "symbol" ? (key.description ?? "") : String(key)], out, depth + 1);
    }
    out.push([...prefix, MISSING], [...prefix, MISSING, "below"]);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => pathsOf(item, [...prefix, i], out, depth + 1));
    out.push([...prefix, node.items.length], [...prefix, "0"], [...prefix, -1]);
  } else {
    out.push([...prefix, MISSING], [...prefix, 0]);
  }
}

function nodeAt(document: Document, itemPath: FieldPath): unknown {
  let node: unknown = document.contents;
  for (const segment of itemPath) {
    if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))?.value;
    else if (isSeq(node) && typeof segment === "number") node = node.items[segment];
    else return undefined;
  }
  return node;
}

/** Compares both locators on every path of one object; `line` is where the loader says the object starts. */
function compareObject(
  name: string,
  blocks: BlockIndex,
  yamlFile: YamlFile,
  documentIndex: number,
  line: number,
  itemPath: FieldPath,
  tally: Tally,
): void {
  const document = yamlFile.documents[documentIndex];
  if (!document) return;
  const paths: FieldPath[] = [];
  pathsOf(nodeAt(document, itemPath), [], paths);
  for (const path of paths) {
    const fast = fastPositionOf(blocks, line, itemPath, path);
    if (fast === UNSURE) {
      tally.fallback++;
      continue;
    }
    tally.fast++;
    const slow = positionOf(yamlFile, documentIndex, itemPath, path);
    if (JSON.stringify(fast) !== JSON.stringify(slow)) {
      tally.differences.push(
        `${name} doc ${documentIndex} [${itemPath.join(".")}] ${JSON.stringify(path)}: fast ${JSON.stringify(fast)} yaml ${JSON.stringify(slow)}`,
      );
    }
  }
}

/** Both locators over every object a loader reads from `text`. */
function compareFile(name: string, text: string, tally: Tally): void {
  const { resources } = parseManifestStream(text, { file: name });
  if (resources.length === 0) return;
  const blocks = new BlockIndex(text);
  const yamlFile = parseYaml(text);
  for (const resource of resources) {
    const { documentIndex, line, itemPath } = resource.source;
    compareObject(name, blocks, yamlFile, documentIndex, line, itemPath ?? [], tally);
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else if (/\.(ya?ml|json)$/.test(entry)) out.push(path);
  }
  return out;
}

describe("the fast locator of block YAML", () => {
  const files = ["fixtures", "manifests", "test/locate/cases"].flatMap(filesUnder);
  const repository: Tally = { fast: 0, fallback: 0, differences: [] };
  for (const file of files) compareFile(file, readFileSync(file, "utf8"), repository);

  it(`places every path of ${files.length} fixture, manifest and case files as yaml does (fast ${repository.fast}, fallback ${repository.fallback})`, () => {
    expect(repository.differences).toEqual([]);
    // Nearly all of the repository's files are plain block YAML: the fast path must answer for most paths.
    expect(repository.fast).toBeGreaterThan(repository.fallback * 4);
  });

  it("places every path of the constructs it reads and leaves the others to yaml", () => {
    for (const [name, text] of Object.entries(HANDWRITTEN)) {
      const tally: Tally = { fast: 0, fallback: 0, differences: [] };
      expect(parseManifestStream(text, { file: name }).errors, name).toEqual([]);
      compareFile(name, text, tally);
      expect(tally.differences).toEqual([]);
      if (MIXED.has(name)) expect(tally.fallback, name).toBeGreaterThan(0);
      else expect(tally.fallback, name).toBe(0);
    }
  });

  it("is unsure wherever yaml reads the text otherwise than by indentation", () => {
    // Nesting deeper than the reader goes (200 levels): left to yaml, without exhausting the stack.
    const deeper = `apiVersion: v1\nkind: X\nspec:\n${Array.from({ length: 230 }, (_, i) => `${" ".repeat(i + 1)}k${i}:`).join("\n")} leaf\n`;
    expect(fastPositionOf(new BlockIndex(deeper), 1, [], ["spec", "k0", "k1"])).toBe(UNSURE);
    // Duplicate keys (the loader refuses them, `yaml` takes the first): not read.
    const duplicate = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n";
    expect(fastPositionOf(new BlockIndex(duplicate), 1, [], ["metadata", "name"])).toBe(UNSURE);
    for (const [name, text, path] of UNSURE_CASES) {
      const { resources } = parseManifestStream(text, { file: name });
      const resource = resources[0]!;
      const fast = fastPositionOf(new BlockIndex(text), resource.source.line, resource.source.itemPath ?? [], path);
      expect(fast, name).toBe(UNSURE);
    }
  });

  const generated: Tally = { fast: 0, fallback: 0, differences: [] };
  it("places every path of random block YAML as yaml does", () => {
    fc.assert(
      fc.property(__streamArb, (text) => {
        const before = generated.differences.length;
        const yamlFile = parseYaml(text);
        const blocks = new BlockIndex(text);
        yamlFile.documents.forEach((document, index) => {
          if (document.errors.length || !isMap(document.contents) || !document.contents.range) return;
          const line = yamlFile.lineCounter.linePos(document.contents.range[0]).line;
          compareObject("generated", blocks, yamlFile, index, line, [], generated);
          const items = document.contents.get("items", true);
          if (isSeq(items)) {
            items.items.forEach((item, i) => {
              const range = (item as { range?: [number, number, number] } | null)?.range;
              if (isMap(item) && range)
                compareObject("generated", blocks, yamlFile, index, yamlFile.lineCounter.linePos(range[0]).line, ["items", i], generated);
            });
          }
        });
        if (generated.differences.length > before)
          throw new Error(`${generated.differences.slice(before, before + 3).join("\n")}\n--- text ---\n${text}`);
      }),
      { numRuns: 400, seed: 1717 },
    );
    console.log(`random block YAML: ${generated.fast} paths placed by the fast path, ${generated.fallback} by yaml`);
    expect(generated.fast).toBeGreaterThan(generated.fallback);
  });
});

const HANDWRITTEN: Record<string, string> = {
  "everything.yaml": `# leading comment
apiVersion: v1   # trailing comment
kind: ConfigMap
metadata:
  name: "quoted-name"
  'namespace': erlmcp
  labels:

    app.kubernetes.io/name: x
    # a comment between keys
    "tier": 'it''s'
data:
  script: |
    #!/bin/sh
    echo "a: b"
      - not an item
    key: not a key

  folded: >-
    folded
    text
  kept: |+
    kept

  plain: first line
    second line
    third line
  double: "one
    two"
  single: 'one
    two'
  flowish: "[not, flow]"
  url: http://example.com:80/x
  hash: a#b
  empty:
  list:
  - one
  - two: 2
    three: 3
  -
    four: 4
  -   five: 5
      six: 6
  indented:
    - |
      block item
    - "quoted item"
    - >
      folded item
    - plain
      continued
`,
  "multi.yaml": `---
# Source: chart/templates/a.yaml
apiVersion: v1
kind: Service
metadata:
  name: a
spec:
  ports:
    - port: 80
      name: http
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: b
  -   apiVersion: v1
      kind: ConfigMap
      metadata: {name: c}
...
---
apiVersion: v1
kind: Secret
metadata:
  name: d
stringData:
  on: yes
  "1": one
  plain key with spaces: v
# trailing comment of the last document
`,
  "indented-root.yaml": `  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: e
  data:
    a: b
`,
  "string-keys.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  .hidden: a\n  ~tilde: b\n  9lives: c\n  yes-no: d\n",
  "escaped-key.yaml": 'apiVersion: v1\nkind: Pod\nmetadata:\n  "na\\u006de": a\n  "it\\x27s" : b\n',
  "crlf.yaml": "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: f\r\ndata:\r\n  a: |\r\n    x\r\n    y\r\n  b: c\r\n",
  "flow-and-anchors.yaml": `apiVersion: v1
kind: Pod
metadata: {name: g, namespace: erlmcp}
spec:
  containers:
    - name: app
      image: nginx
      args: ["a", "b"]
      securityContext: &ctx
        privileged: true
    - name: side
      image: busybox
      securityContext: *ctx
    - name: merged
      image: busybox
      securityContext:
        <<: *ctx
        runAsNonRoot: true
    - &item
      name: anchored
      image: x
    - !!map
      name: tagged
`,
  "deep.yaml": `apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: deep\nspec:\n${Array.from({ length: 150 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n")} leaf\n`,
  "pod.json": JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "h" }, spec: { containers: [{ name: "a" }] } }, null, 2),
  "tabs.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: i\ndata:\n  a:\tb\n  script: |\n    \tindented by a tab\n",
};

/** HANDWRITTEN files with paths the fast path leaves to yaml (flow mappings, non-string keys, anchors, JSON, tabs); it reads the others in full. */
const MIXED = new Set(["multi.yaml", "flow-and-anchors.yaml", "pod.json", "tabs.yaml"]);

const UNSURE_CASES: Array<[string, string, FieldPath]> = [
  ["flow.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n", ["metadata", "name"]],
  ["json.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}', ["metadata", "name"]],
  ["alias.yaml", "apiVersion: v1\nkind: Pod\nmetadata: &m\n  name: a\nspec:\n  copy: *m\n", ["spec", "copy", "name"]],
  ["merge.yaml", "apiVersion: v1\nkind: Pod\nx: &m\n  name: a\nmetadata:\n  <<: *m\n", ["metadata", "name"]],
  ["tag.yaml", "apiVersion: v1\nkind: Pod\nmetadata: !!map\n  name: a\n", ["metadata", "name"]],
  ["complex.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  ? name\n  : a\n", ["metadata", "name"]],
  ["tab.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name:\ta\n", ["metadata", "name"]],
  ["bool-key.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  on: b\n", ["metadata", "true"]],
  ["quoted-merge-key.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  '<<': b\n", ["metadata", "zz-missing"]],
  ["trailing-comment.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n# which object owns me?\n", ["metadata", "name"]],
  ["directive.yaml", "%YAML 1.1\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n", ["metadata", "name"]],
  ["bom.yaml", "\uFEFFapiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n", ["metadata", "name"]],
  ["compact-nested-seq.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  args:\n  - - a\n", ["spec", "args", 0]],
  ["flow-item.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a}]\n", ["spec", "containers", 0, "name"]],
];

// Random block YAML: nested mappings, sequences (indented or not, compact `- key:` items or items
// below their dash) and scalars of every style, with comments and blank lines between entries.
type Scalar = { t: "scalar"; style: number; word: number };
type Entry = { key: number; value: Value; comment: number; blank: boolean };
type Value = Scalar | { t: "map"; entries: Entry[] } | { t: "seq"; items: Value[]; indentless: boolean; below: boolean };

/** Keys the fast path reads first (ten), then keys it leaves to yaml when a path meets their mapping. */
const KEYS = [
  "name",
  "image",
  "items",
  "spec",
  "app.kubernetes.io/name",
  "_x",
  "k8s/x",
  '"quoted"',
  "'single'",
  "plain key",
  "on",
  "1",
  "<<",
  "null",
  "x#y",
];
const keyArb = fc.oneof({ arbitrary: fc.nat(9), weight: 30 }, { arbitrary: fc.integer({ min: 10, max: KEYS.length - 1 }), weight: 1 });
/** Scalar styles: 0–7 and 10–12 are read by the fast path, 8 (flow) and 9 (anchored) are not. */
const styleArb = fc.oneof(
  { arbitrary: fc.nat(7), weight: 16 },
  { arbitrary: fc.constantFrom(8, 9), weight: 1 },
  { arbitrary: fc.integer({ min: 10, max: 12 }), weight: 6 },
);
const WORDS = ["x", "a b", "http://h:80/p", "yes", "-1", "a#b", "12:30", "~", "it's", "x # comment"];

const valueArb: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ t: fc.constant("scalar" as const), style: styleArb, word: fc.nat(WORDS.length - 1) }),
    fc.record({
      t: fc.constant("map" as const),
      entries: fc.uniqueArray(fc.record({ key: keyArb, value: tie("value"), comment: fc.nat(6), blank: fc.boolean() }), {
        minLength: 1,
        maxLength: 4,
        selector: (e) => e.key,
      }),
    }),
    fc.record({
      t: fc.constant("seq" as const),
      items: fc.array(tie("value"), { minLength: 1, maxLength: 3 }),
      indentless: fc.boolean(),
      below: fc.boolean(),
    }),
  ),
})).value;

const rootArb = fc.uniqueArray(fc.record({ key: keyArb, value: valueArb, comment: fc.nat(6), blank: fc.boolean() }), {
  minLength: 1,
  maxLength: 5,
  selector: (e) => e.key,
});

export const __streamArb = fc
  .tuple(fc.array(rootArb, { minLength: 1, maxLength: 3 }), fc.constantFrom(2, 4), fc.boolean())
  .map(
    ([docs, width, leadingMarker]) =>
      (leadingMarker ? "---\n" : "") + docs.map((d) => renderMap(d, 0, width).join("\n") + "\n").join("---\n# between documents\n"),
  );

const pad = (n: number) => " ".repeat(n);

/** The lines of a scalar written after `key:` or `- ` on a line at indentation `indent`. */
function renderScalar(s: Scalar, indent: number, width: number): string[] {
  const word = WORDS[s.word]!;
  const deeper = pad(indent + width);
  switch (s.style) {
    case 0:
      return [`"${word.replaceAll('"', '\\"')}"`];
    case 1:
      return [`'${word.replaceAll("'", "''")}'`];
    case 2:
      return ["|", `${deeper}${word}`, `${deeper}# not a comment`, `${deeper}  more: indented`];
    case 3:
      return [">-", `${deeper}${word}`, "", `${deeper}folded`];
    case 4:
      return ["|+", `${deeper}kept`, ""];
    case 5:
      return ["plain start", `${deeper}continued`, `${deeper}and more`];
    case 6:
      return [`"multi`, `${deeper}line"`];
    case 7:
      return [""];
    case 8:
      return ["[a, b]"];
    case 9:
      return ["&anchor value"];
    default:
      return [/^[-~\d]|#|: |^'|^it/.test(word) ? "plain" : word];
  }
}

/** A mapping's lines at indentation `indent`, the first key's line starting with `first` instead of spaces. */
function renderMap(entries: Entry[], indent: number, width: number, first = pad(indent)): string[] {
  const lines: string[] = [];
  entries.forEach((entry, i) => {
    const lead = i === 0 ? first : pad(indent);
    if (i > 0 && entry.comment === 1) lines.push(`${pad(indent)}# comment`);
    if (i > 0 && entry.comment === 2) lines.push(`${pad(indent + width)}# deeper comment`);
    if (i > 0 && entry.comment === 3) lines.push("# comment at the margin");
    if (i > 0 && entry.blank) lines.push("");
    const key = `${lead}${KEYS[entry.key]}:`;
    const value = entry.value;
    if (value.t === "scalar") {
      const [head, ...rest] = renderScalar(value, indent, width);
      lines.push(head ? `${key} ${head}` : key, ...rest);
    } else if (value.t === "map") {
      lines.push(entry.comment === 4 ? `${key} # comment after the key` : key, ...renderMap(value.entries, indent + width, width));
    } else {
      lines.push(key, ...renderSeq(value, value.indentless ? indent : indent + width, width));
    }
    // A comment just below the value, indented between the mapping and the value's own lines.
    if (entry.comment === 5) lines.push(`${pad(indent + 1)}# after the value`);
  });
  return lines;
}

function renderSeq(seq: Extract<Value, { t: "seq" }>, indent: number, width: number): string[] {
  const lines: string[] = [];
  for (const item of seq.items) {
    const dash = `${pad(indent)}-${seq.indentless && seq.below ? "   " : " "}`;
    if (item.t === "scalar") {
      const [head, ...rest] = renderScalar(item, indent, width);
      lines.push(head ? `${dash}${head}` : `${pad(indent)}-`, ...rest);
    } else if (item.t === "map") {
      if (seq.below) lines.push(`${pad(indent)}-`, ...renderMap(item.entries, indent + width, width));
      else lines.push(...renderMap(item.entries, indent + dash.length - indent, width, dash));
    } else {
      lines.push(`${pad(indent)}-`, ...renderSeq(item, indent + 2, width));
    }
  }
  return lines;
}
