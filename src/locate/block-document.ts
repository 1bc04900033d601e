/**
 * The structure of one block-YAML document for the block index: mappings, sequences and where each
 * key and item starts, read by indentation. What the walk cannot enter comes from ValueReader
 * (block-values.ts); whatever the reader is not certain of is `unsure()`.
 */
import { isItemDash, plainKeyColon, skipSpaces } from "../yaml/block-scan.js";
import { isReservedKey, startsNodeProperty } from "../yaml/block-refusals.js";
import { plainStringKey } from "../yaml/plain-scalars.js";
import { quotedKey } from "../yaml/quoted.js";
import { unsure } from "../yaml/unsure.js";
import { ValueReader, type Read } from "./block-values.js";
import type { BlockMap, BlockPosition, BlockSeq } from "./block-yaml.js";

/** A key read from a line: its text (undefined when `yaml` may read it as something else than that string) and where its value starts. */
interface Key {
  text: string | undefined;
  /** A merge or other reserved key (src/yaml/block-refusals.ts): the mapping's keys are then uncertain. */
  merge: boolean;
  valueAt: number;
}

/** Deepest nesting read; beyond it the document is left to `yaml`. */
const MAX_NESTING = 200;

/** Reads one document (lines from..to-1) whose root is a block mapping. */
export class DocumentReader extends ValueReader {
  /** The document's root mapping; undefined when it is not a block mapping. */
  read(): BlockMap | undefined {
    const first = this.nextStructural(this.from);
    if (first >= this.to) return undefined;
    const column = this.lines.indent(first);
    const at = this.lines.start(first) + column;
    if (this.tabAt(at) || !this.keyAt(first, at)) return undefined;
    const read = this.map(first, at, column, 0);
    if (read.next < this.to) return unsure();
    return read.node as BlockMap;
  }

  /** A block mapping whose first key is at `at` on line `i`; `column` is its indentation. */
  private map(i: number, at: number, column: number, depth: number): Read {
    if (depth > MAX_NESTING) unsure();
    const node: BlockMap = {
      kind: "map",
      line: i + 1,
      column: column + 1,
      keys: new Map(),
      certain: true,
      lastLine: 0,
      trailingComments: false,
    };
    let line = i;
    let keyAt = at;
    let last = i;
    for (;;) {
      const key = this.keyAt(line, keyAt) ?? unsure();
      const value = this.value(line, key.valueAt, column, depth);
      if (key.text === undefined || key.merge || node.keys.has(key.text)) node.certain = false;
      else node.keys.set(key.text, { line: line + 1, column: keyAt - this.lines.start(line) + 1, node: value.node });
      last = value.last;
      const next = value.next;
      if (next >= this.to || this.lines.indent(next) < column) {
        node.lastLine = last < 0 ? 0 : last + 1;
        node.trailingComments = last >= 0 && this.lines.commentsBetween(last + 1, next);
        return { node, next, last };
      }
      if (this.lines.indent(next) > column) unsure();
      line = next;
      keyAt = this.lines.start(next) + column;
      if (this.tabAt(keyAt)) unsure();
    }
  }

  /** A block sequence whose first `-` is at `column` of line `i`. */
  private seq(i: number, column: number, depth: number): Read {
    if (depth > MAX_NESTING) unsure();
    const node: BlockSeq = { kind: "seq", items: [] };
    let line = i;
    for (;;) {
      const dash = this.lines.start(line) + column;
      const end = this.lines.end(line);
      const at = skipSpaces(this.text, dash + 1, end);
      if (this.tabAt(at)) unsure();
      let read: Read;
      let position: BlockPosition | undefined;
      if (at >= end || this.text.charCodeAt(at) === 35 /* # */) {
        const below = this.nextStructural(line + 1);
        if (below < this.to && this.lines.indent(below) > column) {
          const belowAt = this.lines.start(below) + this.lines.indent(below);
          if (this.tabAt(belowAt)) unsure();
          read = this.nodeBelow(below, belowAt, column, depth + 1);
          position = { line: below + 1, column: this.lines.indent(below) + 1 };
        } else {
          // An empty item: `yaml` places its null right after the dash.
          read = { node: { kind: "scalar" }, next: below, last: line };
        }
      } else if (isItemDash(this.text, at, end)) {
        return unsure();
      } else if (this.keyAt(line, at)) {
        const inner = at - this.lines.start(line);
        read = this.map(line, at, inner, depth + 1);
        const next = read.next;
        if (next < this.to && this.lines.indent(next) > column) unsure();
        position = { line: line + 1, column: inner + 1 };
      } else {
        read = this.inlineValue(line, at, column);
        position = startsNodeProperty(this.text, at) ? undefined : { line: line + 1, column: at - this.lines.start(line) + 1 };
      }
      node.items.push(position && { ...position, node: read.node });
      const next = read.next;
      if (next >= this.to || this.lines.indent(next) < column) return { node, next, last: read.last };
      if (this.lines.indent(next) > column) unsure();
      const nextAt = this.lines.start(next) + column;
      if (!isItemDash(this.text, nextAt, this.lines.end(next))) return { node, next, last: read.last };
      line = next;
    }
  }

  /**
   * The value of a key whose text starts at `at` on line `i`, or that starts below it (a sequence
   * below a key may sit at the key's own indentation); `parent` is the mapping's indentation.
   */
  private value(i: number, at: number, parent: number, depth: number): Read {
    const end = this.lines.end(i);
    at = skipSpaces(this.text, at, end);
    if (this.tabAt(at)) unsure();
    if (at < end && this.text.charCodeAt(at) !== 35 /* # */) return this.inlineValue(i, at, parent);
    const below = this.nextStructural(i + 1);
    if (below < this.to) {
      const indent = this.lines.indent(below);
      const belowAt = this.lines.start(below) + indent;
      if (this.tabAt(belowAt)) unsure();
      if (indent > parent) return this.nodeBelow(below, belowAt, parent, depth + 1);
      if (indent === parent && isItemDash(this.text, belowAt, this.lines.end(below))) return this.seq(below, indent, depth + 1);
    }
    return { node: { kind: "scalar" }, next: below, last: i };
  }

  /** A node that starts on a line of its own (below its key or dash), at `at` on line `i`. */
  private nodeBelow(i: number, at: number, parent: number, depth: number): Read {
    const column = at - this.lines.start(i);
    if (isItemDash(this.text, at, this.lines.end(i))) return this.seq(i, column, depth);
    if (this.keyAt(i, at)) return this.map(i, at, column, depth);
    const c = this.text[at];
    if (c === "|" || c === ">" || startsNodeProperty(this.text, at)) unsure();
    return this.inlineValue(i, at, parent);
  }

  /** Reads a key at `at` on line `i`; undefined when the line holds no `key:` there. */
  private keyAt(i: number, at: number): Key | undefined {
    const end = this.lines.end(i);
    const c = this.text[at];
    if (c === undefined || at >= end) return undefined;
    if (c === '"' || c === "'") {
      const key = quotedKey(this.text, at, end);
      if (!key) return undefined;
      return { text: key.name, merge: isReservedKey(key.name), valueAt: key.colon + 1 };
    }
    // `-x`, `?x` and `:x` start plain scalars too, but rarely keys: not read.
    if (c === "-") return undefined;
    const colon = plainKeyColon(this.text, at, end);
    if (colon < 0) return undefined;
    if (this.text.charCodeAt(colon + 1) === 9 /* tab */ && colon + 1 < end) unsure();
    const text = this.text.slice(at, colon).replace(/ +$/, "");
    if (text.includes("\t")) unsure();
    // A key with flow characters is left uncertain: the reader does not follow how `yaml` reads them.
    const name = /[[\]{},"'#]/.test(text) ? undefined : plainStringKey(text);
    return { text: name, merge: isReservedKey(text), valueAt: colon + 1 };
  }
}
