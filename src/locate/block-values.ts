/**
 * The values of a block-YAML document that hold no keys the walk enters: scalars (plain over several
 * lines, quoted, block) and opaque nodes (flow collections, anchored, tagged or alias nodes). Reads
 * how far each one reaches, over the lines of a BlockIndex; DocumentReader (block-document.ts) builds on it.
 */
import { blockScalarHeader, canStartPlain, commentStart, holdsMappingColon, quotedEnd, restIsComment, TAB } from "../yaml/block-scan.js";
import { unsure } from "../yaml/unsure.js";
import type { BlockIndex, BlockNode } from "./block-yaml.js";

/** A node read from a line, and the next line that holds structure (or the document's end). */
export interface Read {
  node: BlockNode;
  next: number;
  /** Last line of the node's content (0-based); -1 when unknown. */
  last: number;
}

/** Reads the values of one document (lines from..to-1 of `lines`). */
export class ValueReader {
  protected readonly text: string;

  constructor(
    protected readonly lines: BlockIndex,
    protected readonly from: number,
    protected readonly to: number,
  ) {
    this.text = lines.text;
  }

  /** First line at or after `i` that is neither blank nor a comment (or the document's end). */
  protected nextStructural(i: number): number {
    while (i < this.to && this.lines.kind(i) !== 0) i++;
    return i;
  }

  protected tabAt(offset: number): boolean {
    return this.text.charCodeAt(offset) === TAB;
  }

  /** A value that starts on the line of its key or dash: a scalar, or an opaque node. */
  protected inlineValue(i: number, at: number, parent: number): Read {
    const c = this.text[at]!;
    if (c === "|" || c === ">") return this.blockScalar(i, at, parent);
    if (c === '"' || c === "'") {
      const close = this.quoteEnd(at);
      const closeLine = this.lineOf(close, i);
      this.restIsComment(close, this.lines.end(closeLine));
      for (let l = i + 1; l <= closeLine; l++) {
        if (this.lines.kind(l) !== 1 && this.lines.indent(l) <= parent) unsure();
      }
      return this.after(closeLine, parent, closeLine, false);
    }
    if (c === "{" || c === "[") {
      const close = this.flowEnd(at, this.lines.end(i));
      this.restIsComment(close, this.lines.end(i));
      return { ...this.after(i, parent, i, false), node: { kind: "opaque" } };
    }
    if (c === "&" || c === "!") {
      // Its node may span lines the reader does not read: the last line is then unknown.
      const read = this.after(i, parent, i, true);
      return { node: { kind: "opaque" }, next: read.next, last: read.last === i ? i : -1 };
    }
    if (c === "*") return { ...this.after(i, parent, i, false), node: { kind: "opaque" } };
    // A plain scalar: it must not hold a `: ` (a mapping `yaml` would refuse here); it may continue on more-indented lines.
    const end = this.lines.end(i);
    if (!canStartPlain(this.text, at, end)) unsure();
    const body = this.text.slice(at, commentStart(this.text, at, end));
    if (holdsMappingColon(body) || body.includes("\t")) unsure();
    return this.after(i, parent, i, true);
  }

  /**
   * Where the node that ended on line `i` is followed: the next structural line at or below
   * `parent`'s indentation. More-indented lines in between are continuation lines (`continues`),
   * else they are not allowed.
   */
  private after(i: number, parent: number, last: number, continues: boolean): Read {
    let j = i + 1;
    for (; j < this.to; j++) {
      const kind = this.lines.kind(j);
      if (kind !== 0) continue;
      if (this.lines.indent(j) <= parent) break;
      if (!continues) unsure();
      const s = this.lines.start(j) + this.lines.indent(j);
      if (this.tabAt(s) || this.text.slice(s, this.lines.end(j)).includes("\t")) unsure();
      last = j;
    }
    if (j < this.to && this.tabAt(this.lines.start(j) + this.lines.indent(j))) unsure();
    return { node: { kind: "scalar" }, next: j, last };
  }

  /** A `|` or `>` scalar whose header is at `at` on line `i`; its lines are more indented than `parent`. */
  private blockScalar(i: number, at: number, parent: number): Read {
    const end = this.lines.end(i);
    const header = blockScalarHeader(this.text, at, end);
    if (header.explicit) unsure();
    this.restIsComment(header.next, end);
    let last = i;
    let content = -1;
    let j = i + 1;
    for (; j < this.to; j++) {
      if (this.lines.kind(j) === 1) {
        // A whitespace-only line with a tab may be content: not read.
        if (this.text.slice(this.lines.start(j), this.lines.end(j)).includes("\t")) unsure();
        continue;
      }
      const indent = this.lines.indent(j);
      if (content < 0) {
        if (indent <= parent) break;
        content = indent;
      } else if (indent < content) break;
      last = j;
    }
    // What follows: trailing comments, then a line at or below the parent's indentation.
    let next = j;
    while (next < this.to && this.lines.kind(next) !== 0) next++;
    for (let l = j; l < next; l++) {
      if (this.lines.kind(l) === 2 && this.lines.indent(l) > parent && content >= 0 && this.lines.indent(l) >= content) unsure();
    }
    if (next < this.to && this.lines.indent(next) > parent) unsure();
    if (next < this.to && this.tabAt(this.lines.start(next) + this.lines.indent(next))) unsure();
    return { node: { kind: "scalar" }, next, last };
  }

  /** Offset just past the closing quote of the quoted scalar at `at`, within the document. */
  protected quoteEnd(at: number): number {
    const limit = this.to < this.lines.lineCount() ? this.lines.start(this.to) : this.text.length;
    const end = quotedEnd(this.text, at, limit);
    return end < 0 ? unsure() : end;
  }

  /** Offset just past the flow collection at `at`, which must close on its own line. */
  private flowEnd(at: number, end: number): number {
    let depth = 0;
    for (let p = at; p < end; p++) {
      const c = this.text[p]!;
      if (c === '"' || c === "'") {
        p = this.quoteEnd(p) - 1;
        if (p >= end) unsure();
      } else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return p + 1;
      } else if (c === "#" && (this.text[p - 1] === " " || this.text[p - 1] === "\t")) unsure();
    }
    return unsure();
  }

  /** The rest of a line from `p` must be blank or a comment. */
  private restIsComment(p: number, end: number): void {
    if (!restIsComment(this.text, p, end, true)) unsure();
  }

  /** The line (0-based) holding the character just before offset `after`, searching from line `from`. */
  private lineOf(after: number, from: number): number {
    let l = from;
    while (l + 1 < this.lines.lineCount() && this.lines.start(l + 1) < after) l++;
    return l;
  }
}
