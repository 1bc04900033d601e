/**
 * A reader of block-style YAML that knows only where keys and list items are: it lays a document out
 * by indentation (mappings, `- ` items, compact `- key:` items, block, plain and quoted scalars over
 * several lines, comments) without building `yaml`'s document model. Whatever it is not certain to
 * read exactly as `yaml` does (flow collections, anchors, aliases, tags, merge keys, complex keys,
 * tabs, duplicate or non-string keys…) it marks, and the walk gives up there (see fast-position.ts).
 * Lines and documents are cut, and whole files refused, by the rules of src/yaml/ the loader shares.
 * This module holds the line table; block-document.ts and block-values.ts read a document from it.
 */
import { lineTable, type LineTable } from "../yaml/block-lines.js";
import { documentSpans, refusesText, type DocumentSpan } from "../yaml/block-refusals.js";
import { COMMENT_LINE, lineKind, skipSpaces } from "../yaml/block-scan.js";
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
  /** Offset of each line's first character, and just past its last one (src/yaml/block-lines.ts). */
  private readonly lines: LineTable;
  /** Leading spaces of each line. */
  private readonly indents: number[] = [];
  /** 0 content, 1 blank (spaces and tabs only), 2 comment. */
  private readonly kinds: Uint8Array;
  /** Comment lines among lines 0..i-1. */
  private readonly commentsBefore: Int32Array;
  /** The documents' content lines, ascending; empty when refused. */
  private readonly spans: DocumentSpan[] = [];
  /** Something in the file neither block reader reads (src/yaml/block-refusals.ts): a BOM, a lone `\r`, a directive, a marker followed by content… */
  readonly refused: boolean;
  private readonly documents = new Map<number, BlockMap | undefined>();

  constructor(readonly text: string) {
    this.lines = lineTable(text);
    const count = this.lines.starts.length;
    this.kinds = new Uint8Array(count);
    this.commentsBefore = new Int32Array(count + 1);
    for (let i = 0; i < count; i++) {
      const s = this.lines.starts[i]!;
      const e = this.lines.ends[i]!;
      this.indents.push(skipSpaces(text, s, e) - s);
      this.kinds[i] = lineKind(text, s, e, true);
      this.commentsBefore[i + 1] = this.commentsBefore[i]! + (this.kinds[i] === COMMENT_LINE ? 1 : 0);
    }
    let refused = refusesText(text, { templates: false });
    if (!refused) {
      try {
        this.spans = documentSpans(text, this.lines, count);
      } catch (error) {
        if (!(error instanceof Unsure)) throw error;
        refused = true;
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
    if (index < 0) return undefined;
    // The document holding the line, by binary search: files of thousands of documents stay linear.
    let low = 0;
    let high = this.spans.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.spans[middle]!.to <= index) low = middle + 1;
      else high = middle;
    }
    const span = this.spans[low];
    if (!span || span.from > index) return undefined;
    const { from, to } = span;
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
    return this.lines.starts.length;
  }
  /** @internal */ start(i: number): number {
    return this.lines.starts[i]!;
  }
  /** @internal */ end(i: number): number {
    return this.lines.ends[i]!;
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
