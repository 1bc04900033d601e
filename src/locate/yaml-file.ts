/**
 * YAML files parsed for their positions, once per run and only when a finding needs them (the audit
 * itself reads objects without keeping the document model), and the walk from a JSON path to a node.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import { KUBECTL_YAML } from "../yaml/kubectl-schema.js";
import { withoutPartByteOrderMarks } from "../yaml/kubectl-documents.js";
import type { FieldPath } from "../k8s/field-path.js";
import { BlockIndex } from "./block-yaml.js";

/** A file's text and documents, with their positions. */
export interface YamlFile {
  text: string;
  documents: Document[];
  lineCounter: LineCounter;
}

/** Where a path landed in a document. */
export interface NodePosition {
  /** 1-based line and column of the field's key (or list item), or of the closest parent the document has. */
  line: number;
  column: number;
  /** How many segments of the path the document has (all of them: `found`). */
  depth: number;
  found: boolean;
  /** The first and last line of the node the walk started from (the object). */
  objectLines: [number, number];
}

/** Files kept at once: findings come grouped by unit and resource, so a few suffice, and memory stays flat. */
const KEPT_FILES = 16;

/**
 * One file's text, with its `yaml` documents and its block index (block-yaml.ts) each built on first
 * use: the fast path of plain files needs only the index, other locators the documents.
 */
export class SourceText {
  private parsed?: YamlFile;
  private index?: BlockIndex;

  constructor(
    readonly text: string,
    /** Whether these are the bytes the audit read (SHA-256 checked, or text handed over): only then is the fast path used. */
    readonly asAudited: boolean,
  ) {}

  /** The file parsed by `yaml`, with positions. */
  get yaml(): YamlFile {
    return (this.parsed ??= parseYaml(this.text));
  }

  /** The file's lines and block-style documents, for fastPositionOf. */
  get blocks(): BlockIndex {
    return (this.index ??= new BlockIndex(this.text));
  }
}

/** The files of one run, read on first use; the least recently used are dropped past KEPT_FILES. */
export class YamlFiles {
  private readonly cache = new Map<string, SourceText | undefined>();

  constructor(
    private readonly cwd: string,
    /** Texts known without reading the disk (stdin, renders), by name. */
    private readonly texts: ReadonlyMap<string, string> = new Map(),
    /** SHA-256 of the files as the audit read them, by path: a file that changed since is not used to place findings. */
    private readonly hashes: ReadonlyMap<string, string> = new Map(),
    /** Whether plain files may be placed by the block index (fast-position.ts); false: by `yaml` only. */
    readonly fastPath = true,
  ) {}

  /** The parsed file (`file` relative to the working directory or absolute); undefined when unreadable. */
  get(file: string): YamlFile | undefined {
    return this.source(file)?.yaml;
  }

  /** The file's text (parsed only when asked); undefined when unreadable or changed since the audit read it. */
  source(file: string): SourceText | undefined {
    if (this.cache.has(file)) {
      const kept = this.cache.get(file);
      this.cache.delete(file);
      this.cache.set(file, kept);
      return kept;
    }
    let source: SourceText | undefined;
    const given = this.texts.get(file);
    if (given !== undefined) source = new SourceText(given, true);
    else {
      try {
        const bytes = readFileSync(resolve(this.cwd, file));
        const expected = this.hashes.get(file);
        // A line read from a file that changed under the audit would point at the wrong place: the object's own line stands instead.
        const matches = expected === undefined ? undefined : createHash("sha256").update(bytes).digest("hex") === expected;
        source = matches === false ? undefined : new SourceText(bytes.toString("utf8"), matches === true);
      } catch {
        source = undefined;
      }
    }
    this.cache.set(file, source);
    if (this.cache.size > KEPT_FILES) this.cache.delete(this.cache.keys().next().value!);
    return source;
  }
}

/** Parses a stream as the loader does (YAML 1.1, JSON included), keeping positions. */
export function parseYaml(input: string): YamlFile {
  // Lines are kept: the mark dropped opening a part shifts only the columns of its own line.
  const text = withoutPartByteOrderMarks(input);
  const lineCounter = new LineCounter();
  const documents = Array.from(
    parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      logLevel: "silent",
      uniqueKeys: false,
      ...KUBECTL_YAML,
    }) as Iterable<Document>,
  );
  return { text, documents, lineCounter };
}

type Ranged = { range?: [number, number, number] | null };

/**
 * Walks `path` from the node at `start` (an object's node) in document `index` of `file`: the position
 * of the last segment found. Aliases are followed to their anchors' content, but the position stays
 * where the alias is written (that is the line to change for this object).
 */
export function positionOf(file: YamlFile, index: number, start: FieldPath, path: FieldPath): NodePosition | undefined {
  const document = file.documents[index];
  if (!document) return undefined;
  const resolveAlias = (node: unknown): unknown => (isAlias(node) ? node.resolve(document) : node);
  let node: unknown = document.contents;
  for (const segment of start) {
    node = childOf(resolveAlias(node), segment, document)?.value;
    if (node === undefined) return undefined;
  }
  const objectRange = (node as Ranged).range;
  if (!objectRange) return undefined;
  const pos = (offset: number) => file.lineCounter.linePos(offset);
  const objectLines: [number, number] = [pos(objectRange[0]).line, lastLine(file, objectRange)];
  let at = objectRange[0];
  let depth = 0;
  for (const segment of path) {
    const child = childOf(resolveAlias(node), segment, document);
    if (!child) break;
    at = child.at ?? at;
    node = child.value;
    depth++;
  }
  const { line, col } = pos(at);
  return { line, column: col, depth, found: depth === path.length, objectLines };
}

/** The last line holding content of a node (its range ends after the trailing newline). */
function lastLine(file: YamlFile, range: [number, number, number]): number {
  let end = range[1];
  while (end > range[0] && /\s/.test(file.text[end - 1] ?? "")) end--;
  return file.lineCounter.linePos(Math.max(range[0], end - 1)).line;
}

function keyText(key: unknown): string {
  const value = isScalar(key) ? key.value : key;
  // The yaml package gives a merge key the value Symbol(<<).
  return typeof value === "symbol" ? (value.description ?? "") : String(value);
}

function childOf(node: unknown, segment: string | number, document?: Document): { value: unknown; at?: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
    if (pair) return { value: pair.value ?? undefined, at: (pair.key as Ranged | null)?.range?.[0] };
    // A key brought in by a YAML 1.1 merge (`<<: *defaults`): the merge line is where this object gets it.
    const merge = node.items.find((p) => isPair(p) && keyText(p.key) === "<<");
    if (!merge || !document) return undefined;
    const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
    for (const source of sources) {
      const found = childOf(isAlias(source) ? source.resolve(document) : source, segment);
      if (found) return { value: found.value, at: (merge.key as Ranged | null)?.range?.[0] };
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment] as Node | undefined;
    if (item === undefined) return undefined;
    return { value: item, at: (item as Ranged).range?.[0] };
  }
  return undefined;
}
