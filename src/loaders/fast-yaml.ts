/**
 * A fast parser for the block-style YAML that renders and hand-written manifests use, producing the
 * same values as `yaml`'s `parseAllDocuments(text, { version: "1.1" })` + `toJS()` for the streams it
 * accepts. Anything outside its subset (anchors, aliases, tags, merge keys, complex or duplicate keys,
 * tabs, directives, multi-line quoted or flow scalars, templates outside renders, every malformed input) makes it
 * answer "unsure" for the whole stream, and the caller parses with `yaml`, which owns every error.
 * Plain scalars are resolved by `yaml`'s own YAML 1.1 schema tags (their `test` and `resolve`), never by
 * rules of ours. This module splits the stream into documents; fast-yaml-block.ts reads each one.
 */
import { documentMarker } from "../yaml/block-scan.js";
import { Unsure, unsure } from "../yaml/unsure.js";
import { BlockParser, type FastDocument } from "./fast-yaml-block.js";
import { isEmptyLine, restIsEmpty } from "./fast-yaml-lines.js";

export type { FastDocument } from "./fast-yaml-block.js";

/** The documents of a stream, and for every sequence the line each of its items starts on. */
export interface FastParse {
  documents: FastDocument[];
  itemLines: WeakMap<unknown[], number[]>;
}

// Control characters, CR, NEL, Unicode line separators and the BOM change line breaking or are errors for `yaml`.
// eslint-disable-next-line no-control-regex
const OUTSIDE_SUBSET = /[\x00-\x08\x0b-\x0d\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]/;
const TEMPLATE_OPEN = "{{";

/**
 * A document marker line (`---` or `...`, optionally followed by spaces and a comment); undefined for
 * other lines. A directive, or a marker followed by anything else, is `unsure()`.
 */
function markerOf(line: string): "---" | "..." | undefined {
  if (!line.startsWith("---") && !line.startsWith("...")) {
    if (line.charCodeAt(0) === 37 /* % */) unsure();
    return undefined;
  }
  const marker = documentMarker(line, 0, line.length);
  if (marker && restIsEmpty(line, 3)) return marker;
  return unsure();
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
