/**
 * A reader of block-style YAML that knows only where keys and list items are: it lays a document out
 * by indentation (mappings, `- ` items, compact `- key:` items, block, plain and quoted scalars over
 * several lines, comments) without building `yaml`'s document model. Whatever it is not certain to
 * read exactly as `yaml` does (flow collections, anchors, aliases, tags, merge keys, complex keys,
 * tabs, duplicate or non-string keys…) it marks, and the walk gives up there (see fast-position.ts).
 * This module holds the line table; block-document.ts and block-values.ts read a document from it.
 */
import { COMMENT_LINE, documentMarker, lineKind, skipSpaces } from "../yaml/block-scan.js";
import { Unsure } from "../yaml/unsure.js";
import { DocumentReader } from "./block-document.js";

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
      this.indents.push(skipSpaces(text, s, e) - s);
      this.kinds[i] = lineKind(text, s, e, true);
      this.commentsBefore[i + 1] = this.commentsBefore[i]! + (this.kinds[i] === COMMENT_LINE ? 1 : 0);
      if (text.charCodeAt(s) === 37 /* % */) refused = true;
      else if (documentMarker(text, s, e)) this.markers.push(i);
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
