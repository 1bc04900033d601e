/**
 * A fast parser for the block-style YAML that renders and hand-written manifests use, producing the
 * same values as `yaml`'s `parseAllDocuments(text, { version: "1.1" })` + `toJS()` for the streams it
 * accepts. Anything outside its subset (anchors, aliases, tags, merge keys, complex or duplicate keys,
 * tabs, directives, multi-line quoted or flow scalars, templates outside renders, every malformed input) makes it
 * answer "unsure" for the whole stream, and the caller parses with `yaml`, which owns every error.
 * Plain scalars are resolved by `yaml`'s own YAML 1.1 schema tags (their `test` and `resolve`), never by
 * rules of ours.
 */
import { Document, isScalar } from "yaml";

/** One document of the stream: its mapping (null when the document is empty) and the line its content starts on. */
export interface FastDocument {
  value: Record<string, unknown> | null;
  line: number;
}

/** The documents of a stream, and for every sequence the line each of its items starts on. */
export interface FastParse {
  documents: FastDocument[];
  itemLines: WeakMap<unknown[], number[]>;
}

/** Deepest block nesting accepted; deeper input goes to `yaml` (which enforces MAX_DEPTH with its own errors). */
const MAX_FAST_DEPTH = 64;
/** Deepest nesting of flow collections in one another on one line. */
const MAX_FLOW_DEPTH = 16;
/** `yaml` rejects implicit keys longer than 1024 characters; stay well below. */
const MAX_KEY_LENGTH = 1000;

class Unsure extends Error {}
const UNSURE = new Unsure("unsure");
function unsure(): never {
  throw UNSURE;
}

// Control characters, CR, NEL, Unicode line separators and the BOM change line breaking or are errors for `yaml`.
// eslint-disable-next-line no-control-regex
const OUTSIDE_SUBSET = /[\x00-\x08\x0b-\x0d\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]/;
const TEMPLATE_OPEN = "{{";

type Tag = {
  default?: boolean | "key";
  test?: RegExp;
  resolve: (value: string, onError: (message: string) => void, options: unknown) => unknown;
};
const reference = new Document(null, { version: "1.1", uniqueKeys: true });
const schemaTags = (reference.schema as unknown as { tags: Tag[] }).tags;
const stringTag = schemaTags.find((t) => (t as { tag?: string }).tag === "tag:yaml.org,2002:str")!;
const resolved = new Map<string, string | number | boolean | null>();

/**
 * The JavaScript value `yaml` gives a plain scalar: the first default tag of the 1.1 schema whose test
 * matches, resolved; `Document.toJS()` keeps the resolved value as is (a timestamp stays a Date).
 */
function resolvePlain(source: string): string | number | boolean | null | Date {
  const cached = resolved.get(source);
  if (cached !== undefined || resolved.has(source)) return cached!;
  const tag = schemaTags.find((t) => t.default === true && t.test?.test(source)) ?? stringTag;
  let failed = false;
  const raw = tag.resolve(source, () => (failed = true), reference.options);
  if (failed) unsure();
  const value: unknown = isScalar(raw) ? raw.value : raw;
  if (value instanceof Date) return value;
  if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") unsure();
  if (resolved.size > 50_000) resolved.clear();
  resolved.set(source, value);
  return value;
}

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

/** Blank or comment-only. */
function isEmptyLine(line: string): boolean {
  const i = indentOf(line);
  return i === line.length || line.charCodeAt(i) === 35; /* # */
}

function isDash(line: string, at: number): boolean {
  return line.charCodeAt(at) === 45 /* - */ && (at + 1 === line.length || line.charCodeAt(at + 1) === 32);
}

/** What may follow a value on its line: spaces, then nothing or a comment. */
function restIsEmpty(line: string, from: number): boolean {
  let i = from;
  while (line.charCodeAt(i) === 32) i++;
  if (i === line.length) return true;
  return line.charCodeAt(i) === 35 && i > from;
}

/** A document marker line (`---` or `...`, optionally followed by a comment); undefined for other lines. */
function markerOf(line: string): "---" | "..." | undefined {
  const head = line.slice(0, 3);
  if (head !== "---" && head !== "...") {
    if (line.charCodeAt(0) === 37 /* % */) unsure();
    return undefined;
  }
  if (line.length === 3 || restIsEmpty(line, 3)) return head;
  return unsure();
}

class BlockParser {
  private pos = 0;
  constructor(
    private readonly lines: string[],
    private readonly end: number,
    private readonly itemLines: WeakMap<unknown[], number[]>,
  ) {}

  /** Parses the document whose content lines are [start, end): its root must be a block mapping. */
  document(start: number): FastDocument {
    this.pos = start;
    this.skipEmpty();
    if (this.pos >= this.end) return { value: null, line: start + 1 };
    const line = this.lines[this.pos]!;
    const indent = indentOf(line);
    if (isDash(line, indent)) unsure();
    const contentLine = this.pos + 1;
    const value = this.map(indent, indent, 1);
    this.skipEmpty();
    if (this.pos < this.end) unsure();
    return { value, line: contentLine };
  }

  private skipEmpty(): void {
    while (this.pos < this.end && isEmptyLine(this.lines[this.pos]!)) this.pos++;
  }

  /** Indentation of the next content line, or -1 at the end of the document. */
  private nextIndent(): number {
    this.skipEmpty();
    return this.pos < this.end ? indentOf(this.lines[this.pos]!) : -1;
  }

  /** A block mapping whose first key starts at column `column` of the current line. */
  private map(indent: number, column: number, depth: number): Record<string, unknown> {
    if (depth > MAX_FAST_DEPTH) unsure();
    const out: Record<string, unknown> = {};
    let col = column;
    for (;;) {
      const line = this.lines[this.pos]!;
      if (line.includes("\t")) unsure();
      const key = this.key(line, col);
      if (!key) unsure();
      if (Object.prototype.hasOwnProperty.call(out, key.name)) unsure();
      out[key.name] = this.value(line, key.next, indent, depth, true);
      const next = this.nextIndent();
      if (next < indent) return out;
      if (next > indent || isDash(this.lines[this.pos]!, next)) unsure();
      col = indent;
    }
  }

  /** A block sequence whose dashes are at column `indent`, starting on the current line. */
  private seq(indent: number, depth: number): unknown[] {
    if (depth > MAX_FAST_DEPTH) unsure();
    const out: unknown[] = [];
    const lines: number[] = [];
    for (;;) {
      const line = this.lines[this.pos]!;
      if (line.includes("\t")) unsure();
      let at = indent + 1;
      while (line.charCodeAt(at) === 32) at++;
      if (at === line.length || line.charCodeAt(at) === 35) {
        this.pos++;
        const next = this.nextIndent();
        if (next <= indent) unsure();
        lines.push(this.pos + 1);
        out.push(this.block(next, depth + 1));
      } else {
        if (isDash(line, at)) unsure();
        lines.push(this.pos + 1);
        if (this.key(line, at)) out.push(this.map(at, at, depth + 1));
        else out.push(this.value(line, at, indent, depth, false));
      }
      const next = this.nextIndent();
      if (next < indent) break;
      if (next > indent) unsure();
      if (!isDash(this.lines[this.pos]!, next)) break;
    }
    this.itemLines.set(out, lines);
    return out;
  }

  /** A block collection starting on the current line at column `indent`. */
  private block(indent: number, depth: number): unknown {
    return isDash(this.lines[this.pos]!, indent) ? this.seq(indent, depth) : this.map(indent, indent, depth);
  }

  /** The key of a `key: value` entry starting at `col`, and where its value starts; undefined if the text is not one. */
  private key(line: string, col: number): { name: string; next: number } | undefined {
    const first = line.charCodeAt(col);
    let name: string;
    let colon: number;
    if (first === 34 /* " */ || first === 39 /* ' */) {
      const quoted = first === 34 ? doubleQuoted(line, col) : singleQuoted(line, col);
      if (line.charCodeAt(quoted.end) !== 58 /* : */) return undefined;
      name = quoted.value;
      colon = quoted.end;
    } else {
      colon = plainKeyColon(line, col);
      if (colon < 0) return undefined;
      const source = line.slice(col, colon);
      if (source.endsWith(" ")) unsure();
      name = keyName(resolvePlain(source));
    }
    // A key starting with `{` is how a template looks to the slow path (hasTemplateKey in yaml.ts).
    if (name === "<<" || name === "__proto__" || name.startsWith("{")) unsure();
    if (colon - col > MAX_KEY_LENGTH) unsure();
    const after = colon + 1;
    if (after < line.length && line.charCodeAt(after) !== 32) unsure();
    return { name, next: after };
  }

  /**
   * The value after a key's colon or a dash at `from` of `line`: inline (scalar, single-line flow), a
   * block scalar, or a block collection on the following lines (`indent` is the collection holding it).
   */
  private value(line: string, from: number, indent: number, depth: number, inMap: boolean): unknown {
    let at = from;
    while (line.charCodeAt(at) === 32) at++;
    if (at === line.length || (line.charCodeAt(at) === 35 && at > from)) {
      this.pos++;
      if (!inMap) unsure();
      const next = this.nextIndent();
      if (next > indent) return this.block(next, depth + 1);
      if (next === indent && isDash(this.lines[this.pos]!, next)) return this.seq(indent, depth + 1);
      return resolvePlain("");
    }
    const c = line[at]!;
    let value: unknown;
    let end: number;
    if (c === "|" || c === ">") return this.blockScalar(line, at, indent);
    if (c === '"' || c === "'") {
      const quoted = c === '"' ? doubleQuoted(line, at) : singleQuoted(line, at);
      value = quoted.value;
      end = quoted.end;
    } else if (c === "[" || c === "{") {
      const flow = flowCollection(line, at, this.pos + 1, this.itemLines);
      value = flow.value;
      end = flow.end;
    } else {
      if ("&*!%@`?:,]}#-".includes(c) && (!"-?:".includes(c) || at + 1 === line.length || line[at + 1] === " ")) unsure();
      const comment = line.indexOf(" #", at);
      end = comment < 0 ? line.length : comment;
      const source = line.slice(at, end).trimEnd();
      if (source.includes(": ") || source.endsWith(":")) unsure();
      const folded = comment < 0 ? this.plainContinuation(source, indent) : source;
      value = resolvePlain(folded);
      if (folded !== source) return value;
    }
    if (!restIsEmpty(line, end)) unsure();
    this.pos++;
    if (this.nextIndent() > indent) unsure();
    return value;
  }

  /**
   * A plain scalar whose first line is `first` folded with its continuation lines (more indented than
   * `indent`), as `yaml` folds them: trimmed, joined by a space, or by one line break per empty line.
   * Without continuation lines `first` itself is returned and the cursor stays on the scalar's line.
   */
  private plainContinuation(first: string, indent: number): string {
    let folded = first;
    let empty = 0;
    let last = -1;
    for (let j = this.pos + 1; j < this.end; j++) {
      const line = this.lines[j]!;
      const spaces = indentOf(line);
      if (spaces === line.length) {
        empty++;
        continue;
      }
      if (spaces <= indent || line.charCodeAt(spaces) === 35 /* # */) break;
      const text = line.slice(spaces).trimEnd();
      if (
        line.includes("\t") ||
        text.includes(": ") ||
        text.endsWith(":") ||
        text.includes(" #") ||
        "?:,[]{}#&*!|>'\"%@`".includes(text[0]!) ||
        text === "-" ||
        text.startsWith("- ")
      )
        unsure();
      folded += (empty ? "\n".repeat(empty) : " ") + text;
      empty = 0;
      last = j;
    }
    if (last < 0) return first;
    this.pos = last + 1;
    if (this.nextIndent() > indent) unsure();
    return folded;
  }

  /** A `|` or `>` block scalar whose header is at `at` of `line`; its content lines follow. */
  private blockScalar(line: string, at: number, parentIndent: number): string {
    const folded = line[at] === ">";
    let i = at + 1;
    let chomp = "";
    let explicit = 0;
    for (; i < line.length && i < at + 3; i++) {
      const ch = line[i]!;
      if ((ch === "+" || ch === "-") && !chomp) chomp = ch;
      else if (ch >= "1" && ch <= "9" && !explicit) explicit = Number(ch);
      else break;
    }
    if (!restIsEmpty(line, i)) unsure();
    const start = this.pos + 1;
    let contentIndent = explicit ? parentIndent + explicit : -1;
    let j = start;
    if (contentIndent < 0) {
      let leading = 0;
      while (j < this.end && indentOf(this.lines[j]!) === this.lines[j]!.length) leading = Math.max(leading, this.lines[j++]!.length);
      if (j >= this.end) unsure();
      contentIndent = indentOf(this.lines[j]!);
      if (contentIndent <= parentIndent || leading > contentIndent) unsure();
      j = start;
    }
    const content: string[] = [];
    let lastContent = -1;
    for (; j < this.end; j++) {
      const text = this.lines[j]!;
      const spaces = indentOf(text);
      if (spaces === text.length) {
        if (spaces > contentIndent) unsure();
        content.push("");
        continue;
      }
      if (spaces < contentIndent) break;
      content.push(text.slice(contentIndent));
      lastContent = content.length - 1;
    }
    if (lastContent < 0 || (j >= this.lines.length && this.lines.length === this.end)) unsure();
    const trailing = content.length - 1 - lastContent;
    const body = content.slice(0, lastContent + 1);
    this.pos = j;
    if (this.pos < this.end && indentOf(this.lines[this.pos]!) > parentIndent && !isEmptyLine(this.lines[this.pos]!)) unsure();
    const text = folded ? fold(body) : body.join("\n");
    if (chomp === "-") return text;
    if (chomp === "+") return text + "\n" + "\n".repeat(trailing);
    return text + "\n";
  }
}

/** Folds the lines of a `>` scalar: lines joined by a space, except around empty and more-indented lines. */
function fold(lines: string[]): string {
  let out = "";
  let previous: "start" | "normal" | "more" = "start";
  let empty = 0;
  for (const line of lines) {
    if (line === "") {
      empty++;
      continue;
    }
    const more = line[0] === " " || line[0] === "\t";
    if (previous === "start") out += "\n".repeat(empty) + line;
    else if (previous === "normal" && !more) out += (empty ? "\n".repeat(empty) : " ") + line;
    else out += "\n" + "\n".repeat(empty) + line;
    previous = more ? "more" : "normal";
    empty = 0;
  }
  return out;
}

/** Where the `:` of a plain implicit key starting at `col` is (followed by a space or the end of line), or -1. */
function plainKeyColon(line: string, col: number): number {
  const c = line[col];
  if (c === undefined || "[]{}&*!|>%@`'\",#?:".includes(c)) return -1;
  if (c === "-" && (col + 1 === line.length || line[col + 1] === " ")) return -1;
  for (let i = col; i < line.length; i++) {
    const ch = line.charCodeAt(i);
    if (ch === 58 /* : */ && (i + 1 === line.length || line.charCodeAt(i + 1) === 32)) return i;
    if (ch === 35 /* # */ && line.charCodeAt(i - 1) === 32) return -1;
  }
  return -1;
}

/**
 * The property name `toJS` gives a plain key (`null` is "", a number or boolean its `String`); a key that
 * resolves to an object (a timestamp) is left to `yaml`. Two keys with the same name are duplicates here
 * even where `yaml` keeps the last (`1` and `'1'`), so such streams go to `yaml` too.
 */
function keyName(value: string | number | boolean | null | Date): string {
  if (value === null) return "";
  if (typeof value === "object") unsure();
  return String(value);
}

/** A single-line double-quoted scalar starting at `at`; `end` is just after the closing quote. */
function doubleQuoted(line: string, at: number): { value: string; end: number } {
  let out = "";
  let i = at + 1;
  let chunk = i;
  for (; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      out += line.slice(chunk, i);
      return { value: out, end: i + 1 };
    }
    if (ch !== "\\") continue;
    out += line.slice(chunk, i);
    const next = line[i + 1];
    if (next === undefined) unsure();
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
    } else if (next === "x" || next === "u" || next === "U") {
      const length = next === "x" ? 2 : next === "u" ? 4 : 8;
      const hex = line.substr(i + 2, length);
      if (hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) unsure();
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) unsure();
      out += String.fromCodePoint(code);
      i += 1 + length;
    } else unsure();
    chunk = i + 1;
  }
  return unsure();
}

/** A single-line single-quoted scalar starting at `at`; `end` is just after the closing quote. */
function singleQuoted(line: string, at: number): { value: string; end: number } {
  let out = "";
  let chunk = at + 1;
  for (let i = at + 1; i < line.length; i++) {
    if (line[i] !== "'") continue;
    if (line[i + 1] === "'") {
      out += line.slice(chunk, i + 1);
      chunk = i + 2;
      i++;
      continue;
    }
    return { value: out + line.slice(chunk, i), end: i + 1 };
  }
  return unsure();
}

/** A scalar inside a single-line flow collection: quoted, or plain without `:`, `#` or flow indicators. */
function flowScalar(line: string, at: number): { value: unknown; end: number; key?: string } {
  const c = line[at];
  if (c === '"' || c === "'") {
    const quoted = c === '"' ? doubleQuoted(line, at) : singleQuoted(line, at);
    return { value: quoted.value, end: quoted.end, key: quoted.value };
  }
  if (c === undefined || "[]{}&*!|>%@`'\",#?:,".includes(c) || (c === "-" && " ,[]{}".includes(line[at + 1] ?? " "))) unsure();
  let i = at;
  for (; i < line.length; i++) {
    const ch = line[i]!;
    if (",[]{}".includes(ch)) break;
    if (ch === ":" && " ,[]{}".includes(line[i + 1] ?? " ")) break;
    if (ch === "#" && line[i - 1] === " ") unsure();
  }
  const source = line.slice(at, i).trimEnd();
  const value = resolvePlain(source);
  return { value, end: at + source.length, key: keyName(value) };
}

/** A flow sequence or mapping of scalars and flow collections, opened at `at` and closed on the same line. */
function flowCollection(
  line: string,
  at: number,
  lineNumber: number,
  itemLines: WeakMap<unknown[], number[]>,
  depth = 1,
): { value: unknown; end: number } {
  if (depth > MAX_FLOW_DEPTH) unsure();
  const isMap = line[at] === "{";
  const close = isMap ? "}" : "]";
  const skip = (i: number) => {
    while (line[i] === " ") i++;
    return i;
  };
  let i = skip(at + 1);
  if (line[i] === close) {
    const empty = isMap ? {} : [];
    if (!isMap) itemLines.set(empty as unknown[], []);
    return { value: empty, end: i + 1 };
  }
  const flowValue = (start: number) =>
    line[start] === "[" || line[start] === "{" ? flowCollection(line, start, lineNumber, itemLines, depth + 1) : flowScalar(line, start);
  const map: Record<string, unknown> = {};
  const seq: unknown[] = [];
  for (;;) {
    const quotedKey = line[i] === '"' || line[i] === "'";
    const item: { value: unknown; end: number; key?: string } = isMap ? flowScalar(line, i) : flowValue(i);
    i = skip(item.end);
    if (isMap) {
      if (
        item.key === undefined ||
        item.key === "<<" ||
        item.key === "__proto__" ||
        item.key.startsWith("{") ||
        line[i] !== ":" ||
        (!quotedKey && line[i + 1] !== " ")
      )
        unsure();
      if (Object.prototype.hasOwnProperty.call(map, item.key)) unsure();
      const value = flowValue(skip(i + 1));
      map[item.key] = value.value;
      i = skip(value.end);
    } else seq.push(item.value);
    if (line[i] === close) break;
    if (line[i] !== ",") unsure();
    i = skip(i + 1);
    if (line[i] === close || line[i] === ",") unsure();
  }
  if (!isMap)
    itemLines.set(
      seq,
      seq.map(() => lineNumber),
    );
  return { value: isMap ? map : seq, end: i + 1 };
}

/** How a stream is read. */
export interface FastYamlOptions {
  /**
   * The stream is a render's output, where `{{` inside a value is data (an alert's `{{ $labels.pod }}`):
   * the slow path reports templates only for streams that are not renders. Otherwise any `{{` means "unsure".
   */
  rendered?: boolean;
}

/**
 * Parses `text` if every document of it is in the subset (see the module comment), else "unsure".
 * Documents are numbered as `yaml` numbers them (empty ones included).
 */
export function parseFastYaml(text: string, options: FastYamlOptions = {}): FastParse | "unsure" {
  if (OUTSIDE_SUBSET.test(text) || (!options.rendered && text.includes(TEMPLATE_OPEN))) return "unsure";
  const lines = text.split("\n");
  const total = text.endsWith("\n") ? lines.length - 1 : lines.length;
  const itemLines = new WeakMap<unknown[], number[]>();
  const documents: FastDocument[] = [];
  try {
    let start = 0;
    let open = false;
    let closed = false;
    const finish = (end: number) => {
      const parser = new BlockParser(lines, end, itemLines);
      documents.push(parser.document(start));
    };
    for (let i = 0; i < total; i++) {
      const marker = markerOf(lines[i]!);
      if (!marker) {
        if (closed && !isEmptyLine(lines[i]!)) unsure();
        if (!open && !closed && !isEmptyLine(lines[i]!)) open = true;
        continue;
      }
      if (marker === "---") {
        if (open) finish(i);
        open = true;
        closed = false;
        start = i + 1;
      } else {
        if (!open) unsure();
        finish(i);
        open = false;
        closed = true;
      }
    }
    if (open) finish(total);
  } catch (error) {
    if (error instanceof Unsure) return "unsure";
    throw error;
  }
  return { documents, itemLines };
}
