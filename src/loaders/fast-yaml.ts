/**
 * A fast parser for the block-style YAML that renders and hand-written manifests use, producing the
 * same values as `yaml`'s `parseAllDocuments(text, { version: "1.1" })` + `toJS()` for the streams it
 * accepts. Anything outside its subset (anchors, aliases, tags, merge keys, complex or duplicate keys,
 * tabs, multi-line quoted or flow scalars, every malformed input) makes it answer "unsure" for the whole
 * stream, and the caller parses with `yaml`, which owns every error. Lines, the stream's documents and
 * what is refused at the stream level (directives, markers, templates outside renders) are decided in
 * src/yaml/ for both block readers.
 * Plain scalars are resolved by `yaml`'s own YAML 1.1 schema tags (their `test` and `resolve`), never by
 * rules of ours. This module splits the stream into documents; fast-yaml-block.ts reads each one.
 */
import { endsWithBreak, lineTable, lineTexts } from "../yaml/block-lines.js";
import { documentSpans, refusesText } from "../yaml/block-refusals.js";
import { Unsure } from "../yaml/unsure.js";
import { BlockParser, type FastDocument } from "./fast-yaml-block.js";

export type { FastDocument } from "./fast-yaml-block.js";

/** The documents of a stream, and for every sequence the line each of its items starts on. */
export interface FastParse {
  documents: FastDocument[];
  itemLines: WeakMap<unknown[], number[]>;
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
  if (refusesText(text, { templates: !options.rendered })) return "unsure";
  const table = lineTable(text);
  const lines = lineTexts(text, table);
  const total = endsWithBreak(text) ? lines.length - 1 : lines.length;
  const itemLines = new WeakMap<unknown[], number[]>();
  try {
    const documents = documentSpans(text, table, total).map(({ from, to }) => new BlockParser(lines, to, itemLines).document(from));
    return { documents, itemLines };
  } catch (error) {
    if (error instanceof Unsure) return "unsure";
    throw error;
  }
}
