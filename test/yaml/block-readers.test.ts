/**
 * The two block-YAML readers against `yaml`, on the spellings whose rules they share (src/yaml/): line
 * breaks (LF, CRLF, mixed, a lone CR, NEL), quoted keys with escapes, a byte-order mark, directives and
 * document markers. For every generated stream the fast loader gives `yaml`'s objects and lines, the fast
 * locator gives positionOf's lines, and a stream either refuses as a whole the other refuses too.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { slowDocuments } from "../helpers/yaml-documents.js";
import type { FieldPath } from "../../src/k8s/field-path.js";
import { parseFastYaml } from "../../src/loaders/fast-yaml.js";
import { parseManifestStream, parseWithDocuments } from "../../src/loaders/yaml.js";
import { BlockIndex } from "../../src/locate/block-yaml.js";
import { fastPositionOf, UNSURE } from "../../src/locate/fast-position.js";
import { parseYaml, positionOf } from "../../src/locate/yaml-file.js";
import { withoutPartByteOrderMarks } from "../../src/yaml/kubectl-documents.js";

const OPTIONS = { file: "generated.yaml" };
const PRIVILEGED: FieldPath = ["spec", "containers", 0, "securityContext", "privileged"];

/** Names of label keys that need care in some spelling: a quote, a backslash, a tab, a colon, a slash. */
const LABEL_KEYS = ["app.kubernetes.io/name", "it's", 'say"hi', "back\\slash", "tab\there", "a: b", "é"];

const hex = (code: number, width: number) => code.toString(16).padStart(width, "0");

/** How one key is written; `refused` spellings are errors for `yaml`. */
type Spelling = "plain" | "single" | "double" | "hex" | "unicode" | "spaced" | "bad-escape";

/** `name` written as a key in `spelling`; undefined where that spelling cannot hold the name as is. */
function spell(name: string, spelling: Spelling): string | undefined {
  const escaped = name.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\t", "\\t");
  switch (spelling) {
    case "plain":
      return /[\t'"]|: |^[^a-z]/.test(name) ? undefined : name;
    case "single":
      return name.includes("\t") ? undefined : `'${name.replaceAll("'", "''")}'`;
    case "double":
      return `"${escaped}"`;
    case "hex":
      return `"${[...name].map((c) => (c.charCodeAt(0) < 0x100 ? `\\x${hex(c.charCodeAt(0), 2)}` : c)).join("")}"`;
    case "unicode":
      return `"${[...name].map((c) => `\\u${hex(c.charCodeAt(0), 4)}`).join("")}"`;
    case "spaced":
      return `"${escaped}"  `;
    case "bad-escape":
      return `"${escaped}\\q"`;
  }
}

const spelling = fc.oneof(
  { arbitrary: fc.constantFrom<Spelling>("plain", "plain", "single", "double", "hex", "unicode", "spaced"), weight: 80 },
  { arbitrary: fc.constant<Spelling>("bad-escape"), weight: 1 },
);

/** A Pod whose keys are spelled by `spellings` (cycled), with two label keys; the plain spelling where another cannot hold a name. */
function pod(name: string, labels: [string, string], spellings: Spelling[]): string {
  let next = 0;
  const key = (k: string) => spell(k, spellings[next++ % spellings.length]!) ?? spell(k, "double")!;
  return [
    `${key("apiVersion")}: v1`,
    `${key("kind")}: Pod`,
    `${key("metadata")}:`,
    `  ${key("name")}: ${name}`,
    `  ${key("labels")}:`,
    `    ${key(labels[0])}: a`,
    ...(labels[1] === labels[0] ? [] : [`    ${key(labels[1])}: 'b'`]),
    `${key("spec")}:`,
    `  ${key("containers")}:`,
    `  - ${key("name")}: app`,
    `    ${key("image")}: busybox`,
    `    ${key("command")}: |`,
    `      echo hi`,
    `    ${key("securityContext")}:`,
    `      ${key("privileged")}: true`,
  ].join("\n");
}

/** How documents are opened, separated and closed; `refused`: both readers leave the stream to `yaml`. */
const PREFIXES = [
  { text: "", refused: false },
  { text: "---\n", refused: false },
  { text: "--- # first\n", refused: false },
  { text: "# lead\n---\n", refused: false },
  { text: "%YAML 1.1\n---\n", refused: true },
  { text: "%TAG !e! tag:example.com,2000:\n---\n", refused: true },
  { text: "\ufeff", refused: true },
  { text: "\ufeff---\n", refused: true },
  { text: "--- !!map\n", refused: true },
];
const SEPARATORS = [
  { text: "\n---\n", refused: false },
  { text: "\n--- # next\n", refused: false },
  { text: "\n...\n---\n", refused: false },
  { text: "\n... # end\n--- \n", refused: false },
  { text: "\n---\n\ufeff", refused: true },
  { text: "\n...\n", refused: true },
  { text: "\n--- |\n  text\n---\n", refused: true },
  { text: "\n---x\n---\n", refused: true },
];
const SUFFIXES = [
  { text: "\n", refused: false },
  { text: "", refused: false },
  { text: "\n...\n", refused: false },
  { text: "\n... # done\n", refused: false },
  { text: "\n... more\n", refused: true },
];
/** Line breaks: `yaml` breaks lines at `\n` and `\r\n` only; a lone `\r` or NEL is a character inside a line. */
const BREAKS = ["lf", "crlf", "mixed", "lone-cr", "nel", "line-separator"] as const;
type Breaks = (typeof BREAKS)[number];

/** `text` with its `\n` breaks written as `breaks` says (`choices` picks the line of a planted break, or each line's break). */
function withBreaks(text: string, breaks: Breaks, choices: boolean[]): string {
  const lines = text.split("\n");
  const pick = (i: number) => choices[i % choices.length] ?? false;
  const planted = Math.max(
    1,
    lines.findIndex((_, i) => i > 0 && pick(i)),
  );
  return lines
    .map((line, i) => {
      if (i === lines.length - 1) return line;
      if (breaks === "crlf" || (breaks === "mixed" && pick(i))) return `${line}\r\n`;
      if (i === planted && breaks !== "lf" && breaks !== "mixed" && line.trim() !== "" && !line.startsWith("-") && !line.startsWith("."))
        return `${line}${breaks === "lone-cr" ? "\r" : breaks === "nel" ? "\u0085" : "\u2028"}`;
      return `${line}\n`;
    })
    .join("");
}

/** One of `choices`, those the readers accept four times as often as those they refuse. */
function mostlyAccepted<T extends { refused: boolean }>(choices: T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...choices.filter((c) => !c.refused)), weight: 4 },
    { arbitrary: fc.constantFrom(...choices.filter((c) => c.refused)), weight: 1 },
  );
}

interface Case {
  text: string;
  /** Refused by a rule of src/yaml/ that holds for the whole text. */
  refused: boolean;
  /** Holds a key `yaml` refuses (a bad escape). */
  badKey: boolean;
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    count: fc.integer({ min: 1, max: 3 }),
    spellings: fc.array(spelling, { minLength: 1, maxLength: 18 }),
    labels: fc.tuple(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_KEYS)),
    prefix: mostlyAccepted(PREFIXES),
    separator: mostlyAccepted(SEPARATORS),
    suffix: mostlyAccepted(SUFFIXES),
    breaks: fc.oneof(
      { arbitrary: fc.constantFrom("lf", "crlf", "mixed"), weight: 4 },
      { arbitrary: fc.constantFrom(...BREAKS), weight: 1 },
    ),
    choices: fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
  })
  .map(({ count, spellings, labels, prefix, separator, suffix, breaks, choices }) => {
    const documents = Array.from({ length: count }, (_, i) => pod(`pod-${i}`, labels, spellings));
    const text = withBreaks(prefix.text + documents.join(separator.text) + suffix.text, breaks, choices);
    const plantedBreak = breaks !== "lf" && breaks !== "crlf" && breaks !== "mixed" && /[\r\u0085\u2028](?!\n)/.test(text);
    return {
      text,
      refused: prefix.refused || (count > 1 && separator.refused) || suffix.refused || plantedBreak,
      badKey: text.includes("\\q"),
    };
  });

/** Every key and item path of `value`, and a missing child of each mapping. */
function pathsOf(value: unknown, prefix: FieldPath, out: FieldPath[] = []): FieldPath[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...prefix, i], out));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
    out.push([...prefix, "zz-missing"]);
  }
  return out;
}

interface Outcome {
  loaderRead: boolean;
  locatorPlaced: boolean;
}

/** Both readers on one text, each against `yaml`; throws on any difference. */
function compareReaders({ text, refused, badKey }: Case): Outcome {
  const fast = parseFastYaml(text);
  const loaded = parseManifestStream(text, OPTIONS);
  // kubectl drops a byte-order mark opening a part after `---`; both loader paths read the text without it.
  expect(loaded).toStrictEqual(parseWithDocuments(withoutPartByteOrderMarks(text), OPTIONS));
  const blocks = new BlockIndex(text);
  // A text the locator refuses as a whole, the loader refuses too (and the other way round but for templates).
  expect(blocks.refused, "locator refused").toBe(fast === "unsure" && refused);
  if (refused) expect(fast, "loader refused").toBe("unsure");
  if (fast !== "unsure") {
    const reference = slowDocuments(text).map(({ errors, value, line }) => ({ errors, value, line }));
    expect(reference.map((d) => d.errors)).toEqual(reference.map(() => 0));
    expect(fast.documents.map((d) => d.value)).toStrictEqual(reference.map((d) => d.value));
    expect(fast.documents.map((d) => d.line)).toEqual(reference.map((d) => d.line));
  } else if (!refused && !badKey) throw new Error("the loader refused a stream of the shared subset");
  const file = parseYaml(text);
  let placed = 0;
  for (const { object, source } of loaded.resources) {
    const itemPath = source.itemPath ?? [];
    for (const path of pathsOf(object, [])) {
      const position = fastPositionOf(blocks, source.line, itemPath, path);
      if (position === UNSURE) continue;
      placed++;
      expect(position, JSON.stringify(path)).toEqual(positionOf(file, source.documentIndex, itemPath, path));
    }
    if (!refused && !badKey) expect(fastPositionOf(blocks, source.line, itemPath, PRIVILEGED), "privileged placed").not.toBe(UNSURE);
  }
  return { loaderRead: fast !== "unsure", locatorPlaced: placed > 0 };
}

describe("the block readers agree with yaml and with each other", () => {
  it("on generated streams with CRLF, lone CRs, quoted and escaped keys, BOMs, directives and markers", () => {
    const read: Record<string, number> = {};
    const count = (what: string) => (read[what] = (read[what] ?? 0) + 1);
    fc.assert(
      fc.property(caseArbitrary, (generated) => {
        const outcome = compareReaders(generated);
        if (outcome.loaderRead && outcome.locatorPlaced) {
          if (generated.text.includes("\r\n")) count("crlf");
          if (/"[^"\n]*\\[xu][^"\n]*" *:/.test(generated.text)) count("escaped key");
          if (/^ *'[^'\n]*' *:/m.test(generated.text)) count("single-quoted key");
          if (/\n---|^---/.test(generated.text)) count("markers");
        } else if (generated.refused) count("refused");
      }),
      { numRuns: 600, seed: 2026 },
    );
    console.log("streams read by both readers, by class:", JSON.stringify(read));
    // Every class is exercised both ways: read by both readers, and refused by both.
    for (const what of ["crlf", "escaped key", "single-quoted key", "markers", "refused"])
      expect(read[what] ?? 0, what).toBeGreaterThan(20);
  });

  it.each([
    ["CRLF", "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: a\r\n"],
    ["an escaped key", 'apiVersion: v1\nkind: Pod\nmetadata:\n  "n\\x61me": a\n  "\\u00e9t\\u00e9" : b\n'],
    ["markers with comments", "--- # one\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n... # end\n---\napiVersion: v1\nkind: Pod\n"],
  ])("reads %s with both readers", (_name, text) => {
    expect(parseFastYaml(text)).not.toBe("unsure");
    expect(new BlockIndex(text).refused).toBe(false);
    compareReaders({ text, refused: false, badKey: false });
  });

  it.each([
    ["a lone CR", "apiVersion: v1\rkind: Pod\nmetadata:\n  name: a\n"],
    ["a lone CR before a CRLF", "apiVersion: v1\r\r\nkind: Pod\r\n"],
    ["a NEL", "apiVersion: v1\nkind: Pod\u0085metadata: x\n"],
    ["a BOM", "\ufeffapiVersion: v1\nkind: Pod\n"],
    ["a BOM opening a later document", "apiVersion: v1\nkind: Pod\n---\n\ufeffapiVersion: v1\nkind: Pod\n"],
    ["a tab in the indentation", "apiVersion: v1\nkind: Pod\nmetadata:\n \tname: a\n"],
    ["a tab indenting block scalar content", "apiVersion: v1\nkind: Pod\ndata:\n  a: |\n    x\n    \ty\n"],
    ["a %YAML directive", "%YAML 1.1\n---\napiVersion: v1\nkind: Pod\n"],
    ["content after ---", "--- !!map\napiVersion: v1\nkind: Pod\n"],
    ["content after ...", "apiVersion: v1\nkind: Pod\n... x\n"],
    ["a bare document after ...", "apiVersion: v1\nkind: Pod\n...\napiVersion: v1\nkind: Pod\n"],
  ])("leaves %s to yaml in both readers", (_name, text) => {
    expect(parseFastYaml(text)).toBe("unsure");
    expect(new BlockIndex(text).refused).toBe(true);
    compareReaders({ text, refused: true, badKey: false });
  });
});
