/**
 * The block structure of one document for the fast YAML path: mappings, sequences and their values,
 * read line by line by indentation into the values `yaml`'s `toJS()` gives. Every construct outside the
 * subset is `unsure()`.
 */
import { canStartPlain, commentStart, holdsMappingColon, plainKeyColon, skipSpaces } from "../yaml/block-scan.js";
import { isReservedKey, startsNodeProperty } from "../yaml/block-refusals.js";
import { MAX_IMPLICIT_KEY, quotedKey } from "../yaml/quoted.js";
import { resolvePlain } from "../yaml/plain-scalars.js";
import { unsure } from "../yaml/unsure.js";
import { flowCollection } from "./fast-yaml-flow.js";
import { indentOf, isDash, isEmptyLine, restIsEmpty } from "./fast-yaml-lines.js";
import { blockScalar, plainContinuation } from "./fast-yaml-multiline.js";
import { keyName, quotedScalar } from "./fast-yaml-scalars.js";

/** One document of the stream: its mapping (null when the document is empty) and the line its content starts on. */
export interface FastDocument {
  value: Record<string, unknown> | null;
  line: number;
}

/** Deepest block nesting accepted; deeper input goes to `yaml` (which enforces MAX_DEPTH with its own errors). */
const MAX_FAST_DEPTH = 64;

/** Reads the documents of a stream's lines, the lines before `end` (one document's end). */
export class BlockParser {
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
      const at = skipSpaces(line, indent + 1, line.length);
      if (at === line.length || line.charCodeAt(at) === 35 /* # */) {
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
      const quoted = quotedKey(line, col, line.length);
      if (!quoted) return undefined;
      name = quoted.name;
      colon = quoted.colon;
    } else {
      colon = plainKeyColon(line, col, line.length);
      if (colon < 0) return undefined;
      const source = line.slice(col, colon);
      if (source.endsWith(" ")) unsure();
      if (colon - col > MAX_IMPLICIT_KEY) unsure();
      name = keyName(resolvePlain(source));
    }
    if (isReservedKey(name)) unsure();
    const after = colon + 1;
    if (after < line.length && line.charCodeAt(after) !== 32) unsure();
    return { name, next: after };
  }

  /**
   * The value after a key's colon or a dash at `from` of `line`: inline (scalar, single-line flow), a
   * block scalar, or a block collection on the following lines (`indent` is the collection holding it).
   */
  private value(line: string, from: number, indent: number, depth: number, inMap: boolean): unknown {
    const at = skipSpaces(line, from, line.length);
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
    if (c === "|" || c === ">") {
      const scalar = blockScalar(this.lines, this.pos, this.end, at, indent);
      this.pos = scalar.next;
      return scalar.value;
    }
    if (c === '"' || c === "'") {
      const quoted = quotedScalar(line, at);
      value = quoted.value;
      end = quoted.end;
    } else if (c === "[" || c === "{") {
      const flow = flowCollection(line, at, this.pos + 1, this.itemLines);
      value = flow.value;
      end = flow.end;
    } else {
      if (startsNodeProperty(line, at) || !canStartPlain(line, at, line.length)) unsure();
      const comment = commentStart(line, at, line.length);
      const source = line.slice(at, comment).trimEnd();
      if (holdsMappingColon(source)) unsure();
      end = at + source.length;
      const continued = comment === line.length ? plainContinuation(this.lines, this.pos, this.end, source, indent) : undefined;
      if (continued) {
        this.pos = continued.next;
        if (this.nextIndent() > indent) unsure();
        return resolvePlain(continued.value);
      }
      value = resolvePlain(source);
    }
    if (!restIsEmpty(line, end)) unsure();
    this.pos++;
    if (this.nextIndent() > indent) unsure();
    return value;
  }
}
