/**
 * A reader of block-style YAML that knows only where keys and list items are: it lays a document out
 * by indentation (mappings, `- ` items, compact `- key:` items, block, plain and quoted scalars over
 * several lines, comments) without building `yaml`'s document model. Whatever it is not certain to
 * read exactly as `yaml` does (flow collections, anchors, aliases, tags, merge keys, complex keys,
 * tabs, duplicate or non-string keys…) it marks, and the walk gives up there (see fast-position.ts).
 */

/** Where a key or list item starts: 1-based line and column, as `yaml`'s LineCounter gives them. */
export interface BlockPosition {
  line: number;
  column: number;
}

/** A key or list item and the node it holds. */
export interface BlockEntry extends BlockPosition {
  node: BlockNode;
}

/** A block mapping: its keys by text, unless `certain` is false (merge, duplicate or non-string keys). */
export interface BlockMap extends BlockPosition {
  kind: "map";
  keys: Map<string, BlockEntry>;
  certain: boolean;
  /** Last line holding its content; 0 when unknown (a multi-line node read as opaque). */
  lastLine: number;
  /** Comment lines between its last content and whatever follows it (`yaml` may count them in). */
  trailingComments: boolean;
}

/** A block sequence; an item whose own position is not certain (an anchored or empty item) is undefined. */
export interface BlockSeq {
  kind: "seq";
  items: Array<BlockEntry | undefined>;
}

/**
 * What the walk can enter: a mapping, a sequence, a scalar (nothing below it), or an opaque node
 * (flow collection, alias, anchored or tagged node) whose inside is not read.
 */
export type BlockNode = BlockMap | BlockSeq | { kind: "scalar" } | { kind: "opaque" };

/** Thrown where the reader is not certain; the document is then left to `yaml`. */
class Unsure extends Error {}

const unsure = (): never => {
  throw new Unsure();
};

/** Deepest nesting read; beyond it the document is left to `yaml`. */
const MAX_NESTING = 200;

/** YAML 1.1 words that `yaml` reads as booleans or null: such keys are not strings. */
const NON_STRING_WORDS = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON|N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF|~|[Nn]ull|NULL)$/;

/** First characters of a plain scalar that cannot make it a number, date, null or indicator. */
const PLAIN_STRING_START = /^[A-Za-z_$/]/;

const SPACE = 32;
const TAB = 9;

/** The lines of one file and the documents read from it (each read once, on first use). */
export class BlockIndex {
  /** Offset of each line's first character. */
  private readonly starts: number[] = [];
  /** Offset just past each line's last character (before `\r\n` or `\n`). */
  private readonly ends: number[] = [];
  /** Leading spaces of each line. */
  private readonly indents: number[] = [];
  /** 0 content, 1 blank (spaces and tabs only), 2 comment. */
  private readonly kinds: Uint8Array;
  /** Comment lines among lines 0..i-1. */
  private readonly commentsBefore: Int32Array;
  /** Lines that are `---` or `...` markers, ascending (0-based). */
  private readonly markers: number[] = [];
  /** Something in the file the reader never handles (a BOM, a lone `\r`, a directive, other line breaks). */
  readonly refused: boolean;
  private readonly documents = new Map<number, BlockMap | undefined>();

  constructor(readonly text: string) {
    let refused =
      text.charCodeAt(0) === 0xfeff ||
      (text.includes("\r") && /\r(?!\n)/.test(text)) ||
      text.includes("\u0085") ||
      text.includes("\u2028") ||
      text.includes("\u2029");
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      const end = newline === -1 ? text.length : newline;
      this.starts.push(start);
      this.ends.push(end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      if (newline === -1) break;
      start = newline + 1;
    }
    const count = this.starts.length;
    this.kinds = new Uint8Array(count);
    this.commentsBefore = new Int32Array(count + 1);
    for (let i = 0; i < count; i++) {
      const s = this.starts[i]!;
      const e = this.ends[i]!;
      let p = s;
      while (p < e && text.charCodeAt(p) === SPACE) p++;
      this.indents.push(p - s);
      let q = p;
      while (q < e && (text.charCodeAt(q) === SPACE || text.charCodeAt(q) === TAB)) q++;
      this.kinds[i] = q === e ? 1 : text.charCodeAt(q) === 35 /* # */ ? 2 : 0;
      this.commentsBefore[i + 1] = this.commentsBefore[i]! + (this.kinds[i] === 2 ? 1 : 0);
      const first = text.charCodeAt(s);
      if (first === 37 /* % */) refused = true;
      else if (
        (first === 45 /* - */ || first === 46) /* . */ &&
        e - s >= 3 &&
        /^(?:---|\.\.\.)(?:[ \t]|$)/.test(text.slice(s, Math.min(e, s + 4)))
      ) {
        this.markers.push(i);
      }
    }
    this.refused = refused;
  }

  /**
   * The root mapping of the document that holds `line` (1-based), read once; undefined when the
   * reader is not certain of it or it is not a block mapping.
   */
  documentAt(line: number): BlockMap | undefined {
    if (this.refused) return undefined;
    const index = line - 1;
    if (index < 0 || index >= this.starts.length) return undefined;
    // The markers around the line, by binary search: files of thousands of documents stay linear.
    let low = 0;
    let high = this.markers.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.markers[middle]! < index) low = middle + 1;
      else high = middle;
    }
    if (this.markers[low] === index) return undefined;
    const from = low > 0 ? this.markers[low - 1]! + 1 : 0;
    const to = low < this.markers.length ? this.markers[low]! : this.starts.length;
    if (this.documents.has(from)) return this.documents.get(from);
    let root: BlockMap | undefined;
    try {
      root = new DocumentReader(this, from, to).read();
    } catch (error) {
      if (!(error instanceof Unsure) && !(error instanceof RangeError)) throw error;
      root = undefined;
    }
    this.documents.set(from, root);
    return root;
  }

  /** @internal */ lineCount(): number {
    return this.starts.length;
  }
  /** @internal */ start(i: number): number {
    return this.starts[i]!;
  }
  /** @internal */ end(i: number): number {
    return this.ends[i]!;
  }
  /** @internal */ indent(i: number): number {
    return this.indents[i]!;
  }
  /** @internal */ kind(i: number): number {
    return this.kinds[i]!;
  }
  /** @internal Whether lines from..to-1 hold a comment line. */
  commentsBetween(from: number, to: number): boolean {
    return to > from && this.commentsBefore[to]! - this.commentsBefore[from]! > 0;
  }
}

/** A node read from a line, and the next line that holds structure (or the document's end). */
interface Read {
  node: BlockNode;
  next: number;
  /** Last line of the node's content (0-based); -1 when unknown. */
  last: number;
}

/** A key read from a line: its text (undefined when `yaml` may read it as something else than that string) and where its value starts. */
interface Key {
  text: string | undefined;
  merge: boolean;
  valueAt: number;
}

/** Reads one document (lines from..to-1) whose root is a block mapping. */
class DocumentReader {
  private readonly text: string;

  constructor(
    private readonly lines: BlockIndex,
    private readonly from: number,
    private readonly to: number,
  ) {
    this.text = lines.text;
  }

  read(): BlockMap | undefined {
    if (this.from > 0) {
      // The `---` line itself may carry content (`--- !tag`, `--- |`): only a comment is read past.
      const marker = this.from - 1;
      const rest = this.text.slice(this.lines.start(marker) + 3, this.lines.end(marker)).trim();
      if (rest !== "" && !rest.startsWith("#")) return undefined;
    }
    const first = this.nextStructural(this.from);
    if (first >= this.to) return undefined;
    const column = this.lines.indent(first);
    const at = this.lines.start(first) + column;
    if (this.tabAt(at) || !this.keyAt(first, at)) return undefined;
    const read = this.map(first, at, column, 0);
    if (read.next < this.to) return unsure();
    return read.node as BlockMap;
  }

  /** First line at or after `i` that is neither blank nor a comment (or the document's end). */
  private nextStructural(i: number): number {
    while (i < this.to && this.lines.kind(i) !== 0) i++;
    return i;
  }

  private tabAt(offset: number): boolean {
    return this.text.charCodeAt(offset) === TAB;
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
      let at = dash + 1;
      const end = this.lines.end(line);
      while (at < end && this.text.charCodeAt(at) === SPACE) at++;
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
      } else if (this.isSeqItem(at, end)) {
        return unsure();
      } else if (this.keyAt(line, at)) {
        const inner = at - this.lines.start(line);
        read = this.map(line, at, inner, depth + 1);
        const next = read.next;
        if (next < this.to && this.lines.indent(next) > column) unsure();
        position = { line: line + 1, column: inner + 1 };
      } else {
        const c = this.text[at]!;
        read = this.inlineValue(line, at, column);
        position = "&!*".includes(c) ? undefined : { line: line + 1, column: at - this.lines.start(line) + 1 };
      }
      node.items.push(position && { ...position, node: read.node });
      const next = read.next;
      if (next >= this.to || this.lines.indent(next) < column) return { node, next, last: read.last };
      if (this.lines.indent(next) > column) unsure();
      const nextAt = this.lines.start(next) + column;
      if (!this.isSeqItem(nextAt, this.lines.end(next))) return { node, next, last: read.last };
      line = next;
    }
  }

  private isSeqItem(at: number, end: number): boolean {
    if (this.text.charCodeAt(at) !== 45 /* - */) return false;
    if (at + 1 >= end) return true;
    const c = this.text.charCodeAt(at + 1);
    return c === SPACE || c === TAB;
  }

  /**
   * The value of a key whose text starts at `at` on line `i`, or that starts below it (a sequence
   * below a key may sit at the key's own indentation); `parent` is the mapping's indentation.
   */
  private value(i: number, at: number, parent: number, depth: number): Read {
    const end = this.lines.end(i);
    while (at < end && this.text.charCodeAt(at) === SPACE) at++;
    if (this.tabAt(at)) unsure();
    if (at < end && this.text.charCodeAt(at) !== 35 /* # */) return this.inlineValue(i, at, parent);
    const below = this.nextStructural(i + 1);
    if (below < this.to) {
      const indent = this.lines.indent(below);
      const belowAt = this.lines.start(below) + indent;
      if (this.tabAt(belowAt)) unsure();
      if (indent > parent) return this.nodeBelow(below, belowAt, parent, depth + 1);
      if (indent === parent && this.isSeqItem(belowAt, this.lines.end(below))) return this.seq(below, indent, depth + 1);
    }
    return { node: { kind: "scalar" }, next: below, last: i };
  }

  /** A node that starts on a line of its own (below its key or dash), at `at` on line `i`. */
  private nodeBelow(i: number, at: number, parent: number, depth: number): Read {
    const column = at - this.lines.start(i);
    if (this.isSeqItem(at, this.lines.end(i))) return this.seq(i, column, depth);
    if (this.keyAt(i, at)) return this.map(i, at, column, depth);
    const c = this.text[at]!;
    if ("|>&!*".includes(c)) unsure();
    return this.inlineValue(i, at, parent);
  }

  /** A value that starts on the line of its key or dash: a scalar, or an opaque node. */
  private inlineValue(i: number, at: number, parent: number): Read {
    const c = this.text[at]!;
    if (c === "|" || c === ">") return this.blockScalar(i, at, parent);
    if (c === '"' || c === "'") {
      const close = this.quoteEnd(at, c);
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
    if ("%@`?:-,]}#".includes(c)) {
      const n = this.text.charCodeAt(at + 1);
      const indicator = "%@`,]}#".includes(c) || at + 1 >= this.lines.end(i) || n === SPACE || n === TAB;
      if (indicator) unsure();
    }
    // A plain scalar: it must not hold a `: ` (a mapping `yaml` would refuse here); it may continue on more-indented lines.
    const end = this.lines.end(i);
    const comment = this.commentStart(at, end);
    const body = this.text.slice(at, comment);
    if (/:(?:[ \t]|$)/.test(body) || body.includes("\t")) unsure();
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
    let p = at + 1;
    while (p < end && (this.text[p] === "+" || this.text[p] === "-")) p++;
    this.restIsComment(p, end);
    if (p < end && this.text.charCodeAt(p) !== SPACE && this.text.charCodeAt(p) !== TAB) unsure();
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

  /** Reads a key at `at` on line `i`; undefined when the line holds no `key:` there. */
  private keyAt(i: number, at: number): Key | undefined {
    const end = this.lines.end(i);
    const c = this.text[at];
    if (c === undefined || at >= end) return undefined;
    if (c === '"' || c === "'") {
      let close: number;
      try {
        close = this.quoteEnd(at, c);
      } catch {
        return undefined;
      }
      if (close > end) return undefined;
      let p = close;
      while (p < end && this.text.charCodeAt(p) === SPACE) p++;
      if (this.text[p] !== ":" || !(p + 1 >= end || this.text.charCodeAt(p + 1) === SPACE)) return undefined;
      const raw = this.text.slice(at + 1, close - 1);
      const text = c === "'" ? raw.replaceAll("''", "'") : raw.includes("\\") ? undefined : raw;
      return { text, merge: false, valueAt: p + 1 };
    }
    if ("-?:,[]{}#&*!|>%@`".includes(c)) {
      // `-x`, `?x` and `:x` start plain scalars too, but rarely keys: not read.
      return undefined;
    }
    const comment = this.commentStart(at, end);
    for (let p = at; p < comment; p++) {
      if (this.text[p] !== ":") continue;
      if (p + 1 < end && this.text.charCodeAt(p + 1) !== SPACE) {
        if (this.text.charCodeAt(p + 1) === TAB) unsure();
        continue;
      }
      const text = this.text.slice(at, p).replace(/ +$/, "");
      if (text.includes("\t")) unsure();
      const merge = text === "<<";
      const plainString = PLAIN_STRING_START.test(text) && !NON_STRING_WORDS.test(text) && !/[[\]{},"'#]/.test(text);
      return { text: plainString ? text : undefined, merge, valueAt: p + 1 };
    }
    return undefined;
  }

  /** Where a comment starts on the line (a `#` after a space or tab), else `end`. */
  private commentStart(at: number, end: number): number {
    for (let p = at + 1; p < end; p++) {
      if (this.text[p] === "#") {
        const b = this.text.charCodeAt(p - 1);
        if (b === SPACE || b === TAB) return p;
      }
    }
    return end;
  }

  /** Offset just past the closing quote of the quoted scalar at `at`, within the document. */
  private quoteEnd(at: number, quote: string): number {
    const limit = this.to < this.lines.lineCount() ? this.lines.start(this.to) : this.text.length;
    for (let p = at + 1; p < limit; p++) {
      const c = this.text[p];
      if (quote === '"' && c === "\\") {
        p++;
        continue;
      }
      if (c !== quote) continue;
      if (quote === "'" && this.text[p + 1] === "'") {
        p++;
        continue;
      }
      return p + 1;
    }
    return unsure();
  }

  /** Offset just past the flow collection at `at`, which must close on its own line. */
  private flowEnd(at: number, end: number): number {
    let depth = 0;
    for (let p = at; p < end; p++) {
      const c = this.text[p]!;
      if (c === '"' || c === "'") {
        p = this.quoteEnd(p, c) - 1;
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
    while (p < end && (this.text.charCodeAt(p) === SPACE || this.text.charCodeAt(p) === TAB)) p++;
    if (p < end && (this.text[p] !== "#" || !/[ \t]/.test(this.text[p - 1] ?? ""))) unsure();
  }

  /** The line (0-based) holding the character just before offset `after`, searching from line `from`. */
  private lineOf(after: number, from: number): number {
    let l = from;
    while (l + 1 < this.lines.lineCount() && this.lines.start(l + 1) < after) l++;
    return l;
  }
}
