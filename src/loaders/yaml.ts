/** Parses a YAML or JSON stream into resources that remember their file and line. */
import { yamlErrorSummary } from "../yaml/error-summary.js";
import { LineCounter, parseAllDocuments, isAlias, isMap, isScalar, isSeq, type Document } from "yaml";
import type { Resource } from "../types.js";
import { inputError } from "./errors.js";
import { kubectlDocumentProblems, withoutPartByteOrderMarks } from "../yaml/kubectl-documents.js";
import { KUBECTL_YAML } from "../yaml/kubectl-schema.js";
import { parseFastYaml, type FastParse } from "./fast-yaml.js";
import { findMergeConflict } from "./yaml-merge.js";
import { MAX_DEPTH, resourceCollector, type FieldLocator, type ItemOf, type ParseOptions, type ParseResult } from "./yaml-resources.js";

export { MAX_DEPTH, MAX_LIST_ITEMS, MAX_LIST_NESTING, type FieldLocator, type ParseOptions, type ParseResult } from "./yaml-resources.js";

/** Iterative, so hostile nesting cannot overflow the stack here. */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

const TEMPLATE_MARK = /\{\{[-\s]?[\s\S]*?\}\}/;

/** `name: {{ .Values.x }}` parses as a flow map whose key starts with `{`: a template, not data. */
function hasTemplateKey(value: unknown, depth = 0): boolean {
  if (depth > 64 || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((v) => hasTemplateKey(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.startsWith("{") || hasTemplateKey(v, depth + 1));
}

/**
 * Parses a stream: through the fast parser (src/loaders/fast-yaml.ts) when it accepts every document,
 * else through `yaml`'s Document model, which owns every error message.
 */
export function parseManifestStream(input: string, options: ParseOptions): ParseResult {
  const text = withoutPartByteOrderMarks(input);
  const fast = parseFastYaml(text, { rendered: options.renderedFrom !== undefined });
  return fast === "unsure" ? parseWithDocuments(text, options) : fromFastParse(fast, text, options);
}

/**
 * The result of a stream the fast parser accepted: every root is a mapping, with no alias, tag or template.
 * Field locators are lazy: the first one called parses the stream with `yaml` (which gives the same
 * resources, in the same order) and answers from its Documents, so streams whose objects need no
 * position pay nothing for positions.
 */
function fromFastParse(fast: FastParse, text: string, options: ParseOptions): ParseResult {
  const stream = resourceCollector({ ...options, locateFields: false }, undefined);
  const itemOf: ItemOf = (_node, items, index, fallbackLine) => ({
    node: undefined,
    line: fast.itemLines.get(items)?.[index] ?? fallbackLine,
  });
  fast.documents.forEach(({ value, line }, documentIndex) => {
    if (value !== null) stream.addDocument(value, undefined, line, documentIndex, itemOf);
  });
  const result = stream.result();
  if (!options.locateFields) return result;
  let slow: Array<FieldLocator | undefined> | undefined;
  const slowLocators = () => {
    if (!slow) {
      const parsed = parseWithDocuments(text, options);
      slow = parsed.resources.length === result.resources.length ? parsed.resources.map((r) => parsed.locators?.get(r)) : [];
    }
    return slow;
  };
  const locators = new Map<Resource, FieldLocator>(result.resources.map((resource, i) => [resource, (path) => slowLocators()[i]?.(path)]));
  return { ...result, locators };
}

/** The slow path: `yaml` Documents, their errors, alias limits and positions. */
export function parseWithDocuments(text: string, options: ParseOptions): ParseResult {
  const { file } = options;
  const lineCounter = new LineCounter();
  const stream = resourceCollector(options, lineCounter);
  const { errors, templated, tooDeep } = stream;
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, logLevel: "error", ...KUBECTL_YAML });
  const list = Array.from(docs as Iterable<Document>);
  const kubectlProblems = kubectlDocumentProblems(
    text,
    list.map((doc) =>
      doc.errors.length === 0 && doc.contents?.range && !(isScalar(doc.contents) && doc.contents.value === null)
        ? { start: doc.contents.range[0], end: doc.contents.range[1] }
        : undefined,
    ),
  );
  list.forEach((doc, documentIndex) => {
    const start = doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0;
    const position = lineCounter.linePos(start);
    const yamlError = doc.errors[0];
    if (yamlError) {
      const pos = lineCounter.linePos(Math.min(yamlError.pos[0], text.trimEnd().length));
      if (!options.renderedFrom && TEMPLATE_MARK.test(text)) {
        errors.push(templated(pos));
        return;
      }
      if (/Maximum call stack/i.test(yamlError.message)) {
        errors.push(tooDeep(position.line));
        return;
      }
      const duplicate = yamlError.code === "DUPLICATE_KEY";
      errors.push(
        inputError(duplicate ? "YAML_DUPLICATE_KEY" : "YAML_SYNTAX", file, yamlErrorSummary(yamlError.message), {
          line: pos.line,
          column: pos.col,
          hint: duplicate ? "keep one of the duplicate keys" : "fix the YAML at this line and column",
        }),
      );
      return;
    }
    if (doc.contents === null) return;
    const kubectlProblem = kubectlProblems[documentIndex];
    if (kubectlProblem) {
      const pos = lineCounter.linePos(kubectlProblem.offset);
      errors.push(
        inputError("YAML_DOCUMENT_MARKER", file, kubectlProblem.message, { line: pos.line, column: pos.col, hint: kubectlProblem.hint }),
      );
      return;
    }
    const mergeConflict = findMergeConflict(doc);
    if (mergeConflict) {
      const pos = lineCounter.linePos(mergeConflict.offset);
      errors.push(
        inputError(
          "YAML_MERGE_CONFLICT",
          file,
          `the merge key (<<) sets "${mergeConflict.key}", which this mapping already set: kubectl and the API server (sigs.k8s.io/yaml) take the merged value, the YAML merge specification (and go-yaml v3) the earlier one`,
          { line: pos.line, column: pos.col, hint: `set "${mergeConflict.key}" once, or after the merge key` },
        ),
      );
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 100 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RangeError) {
        errors.push(tooDeep(position.line));
        return;
      }
      const code = /alias/i.test(message) ? "YAML_ALIAS_LIMIT" : "YAML_SYNTAX";
      errors.push(
        inputError(code, file, yamlErrorSummary(message), {
          line: position.line,
          hint: code === "YAML_ALIAS_LIMIT" ? "remove excessive YAML aliases" : "fix the YAML of this document",
        }),
      );
      return;
    }
    if (value === null || value === undefined) return;
    if (depthExceeds(value, MAX_DEPTH)) {
      errors.push(tooDeep(position.line));
      return;
    }
    if (!options.renderedFrom && hasTemplateKey(value)) {
      const mark = TEMPLATE_MARK.exec(text.slice(start));
      errors.push(templated(lineCounter.linePos(start + (mark?.index ?? 0))));
      return;
    }
    if (!isMap(doc.contents) || typeof value !== "object" || Array.isArray(value)) {
      errors.push(
        inputError("NOT_AN_OBJECT", file, `document ${documentIndex + 1} is not a mapping (a Kubernetes object)`, {
          line: position.line,
          hint: "each YAML document must be one Kubernetes object",
        }),
      );
      return;
    }
    const itemOf: ItemOf = (node, items, index, fallbackLine) => {
      const resolved = isAlias(node) ? node.resolve(doc) : node;
      const itemsNode = isMap(resolved) ? resolved.get("items", true) : undefined;
      const childNode = isSeq(itemsNode) ? itemsNode.items[index] : undefined;
      const range = (childNode as { range?: [number, number, number] } | undefined)?.range;
      return { node: childNode, line: range ? lineCounter.linePos(range[0]).line : fallbackLine };
    };
    stream.addDocument(value, doc.contents, position.line, documentIndex, itemOf);
  });
  return stream.result();
}
