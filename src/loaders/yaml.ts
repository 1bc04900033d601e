/** Parses a YAML or JSON stream into resources that remember their file and line. */
import { stripNullKeys } from "./strip-nulls.js";
import { LineCounter, parseAllDocuments, isAlias, isMap, isScalar, isSeq, type Document } from "yaml";
import { refOf } from "../k8s/workloads.js";
import type { InputError, K8sObject, RenderOrigin, Resource } from "../types.js";
import { inputError } from "./errors.js";
import { parseFastYaml, type FastParse } from "./fast-yaml.js";

export interface ParseOptions {
  /** Name reported for the stream (a file path, `<stdin>`, or a render's label). */
  file: string;
  renderedFrom?: RenderOrigin;
  /** Most aliases a document may resolve (guards against alias bombs). */
  maxAliasCount?: number;
  /** Keep the YAML positions of each object's fields (`ParseResult.locators`), for errors that point at a field. */
  locateFields?: boolean;
}

/** Where a field of an object is in its stream: the line and column of its key (or list item), else of its closest parent. */
export type FieldLocator = (path: ReadonlyArray<string | number>) => { line: number; column: number } | undefined;

export interface ParseResult {
  resources: Resource[];
  errors: InputError[];
  /** With `locateFields`: where each resource's fields are. */
  locators?: Map<Resource, FieldLocator>;
}

/** Deepest nesting accepted; real objects (even CRD schemas) stay far below it, and recursive code stays safe. */
export const MAX_DEPTH = 256;

/** Deepest nesting of Lists in Lists that is expanded; real lists nest once or twice. */
export const MAX_LIST_NESTING = 16;

/** Most objects the Lists of one document may expand to. */
export const MAX_LIST_ITEMS = 100_000;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A `List` or `*List` kind with `items`: kubectl applies its items, not the list. */
function isListKind(value: unknown): value is K8sObject & { items: unknown[] } {
  return isObject(value) && typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items);
}

/**
 * Another kind whose `items` are objects with a kind: kubectl reads any object with an `items` array
 * as a list, so those items are audited too (and the object itself, in case it is applied as written).
 */
function carriesObjectItems(value: unknown): value is K8sObject & { items: unknown[] } {
  return (
    isObject(value) &&
    Array.isArray(value.items) &&
    value.items.length > 0 &&
    value.items.every((i) => isObject(i) && typeof i.kind === "string")
  );
}

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

/** How a List's item is found: its YAML node (slow path only) and the line it starts on. */
type ItemOf = (node: unknown, items: unknown[], index: number, fallbackLine: number) => { node: unknown; line: number };

/**
 * Parses a stream: through the fast parser (src/loaders/fast-yaml.ts) when it accepts every document,
 * else through `yaml`'s Document model, which owns every error message.
 */
export function parseManifestStream(text: string, options: ParseOptions): ParseResult {
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
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, logLevel: "error", version: "1.1" });
  const list = Array.from(docs as Iterable<Document>);
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
        inputError(duplicate ? "YAML_DUPLICATE_KEY" : "YAML_SYNTAX", file, yamlError.message.split("\n")[0] ?? "invalid YAML", {
          line: pos.line,
          column: pos.col,
          hint: duplicate ? "keep one of the duplicate keys" : "fix the YAML at this line and column",
        }),
      );
      return;
    }
    if (doc.contents === null) return;
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
        inputError(code, file, message, {
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

/** Turns the documents of one stream into resources and input errors (shared by both parse paths). */
function resourceCollector(options: ParseOptions, lineCounter: LineCounter | undefined) {
  const { file } = options;
  const resources: Resource[] = [];
  const locators = new Map<Resource, FieldLocator>();
  const errors: InputError[] = [];
  return {
    errors,
    templated,
    tooDeep,
    addDocument,
    result: (): ParseResult => ({ resources, errors, ...(options.locateFields ? { locators } : {}) }),
  };

  /**
   * Adds the object of one document; a List's items are added instead of the List, at any depth (as
   * `kubectl apply -f` flattens them), each with the line of its item, within MAX_LIST_NESTING and MAX_LIST_ITEMS.
   */
  function addDocument(value: unknown, root: unknown, line: number, documentIndex: number, itemOf: ItemOf): void {
    let added = 0;
    let tooLarge = false;
    const visit = (item: unknown, node: unknown, itemLine: number, nesting: number, itemPath: Array<string | number>): void => {
      const list = isListKind(item);
      if (!list) {
        if (added >= MAX_LIST_ITEMS) {
          if (!tooLarge) errors.push(listTooLarge(itemLine));
          tooLarge = true;
          return;
        }
        added++;
        addObject(item, itemLine, documentIndex, node, itemPath);
      }
      if (!list && !carriesObjectItems(item)) return;
      if (nesting >= MAX_LIST_NESTING) {
        errors.push(listTooDeep(itemLine));
        return;
      }
      item.items.forEach((child, i) => {
        const at = itemOf(node, item.items, i, itemLine);
        visit(child, at.node, at.line, nesting + 1, [...itemPath, "items", i]);
      });
    };
    visit(value, root, line, 0, []);
  }

  function listTooDeep(line: number): InputError {
    return inputError("LIST_TOO_DEEP", file, `nests Lists in Lists deeper than ${MAX_LIST_NESTING} levels`, {
      line,
      hint: "flatten the nested Lists into one List or separate documents",
    });
  }

  function listTooLarge(line: number): InputError {
    return inputError("LIST_TOO_LARGE", file, `its Lists hold more than ${MAX_LIST_ITEMS} objects in one document`, {
      line,
      hint: "split the List into several files",
    });
  }

  function templated(at: { line: number; col: number }): InputError {
    return inputError("TEMPLATED_YAML", file, "contains Go template syntax ({{ ... }}) outside a Helm chart", {
      line: at.line,
      column: at.col,
      hint: "audit the chart directory (with Chart.yaml) instead of its templates",
    });
  }

  function tooDeep(line: number): InputError {
    return inputError("YAML_TOO_DEEP", file, `nests deeper than ${MAX_DEPTH} levels`, {
      line,
      hint: "Kubernetes objects are far shallower: remove the generated nesting",
    });
  }

  /** Where a field of the object whose YAML node is `node` is: the line and column of its key (or item), else of its closest parent. */
  function locator(node: unknown): FieldLocator {
    return (path) => {
      let current = node;
      let at = (current as { range?: [number, number, number] } | undefined)?.range?.[0];
      for (const segment of path) {
        let next: unknown;
        if (isMap(current)) {
          const pair = current.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
          at = (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0] ?? at;
          next = pair?.value;
        } else if (isSeq(current) && typeof segment === "number") {
          next = current.items[segment];
          at = (next as { range?: [number, number, number] } | undefined)?.range?.[0] ?? at;
        }
        if (next === undefined) break;
        current = next;
      }
      if (at === undefined || !lineCounter) return undefined;
      const pos = lineCounter.linePos(at);
      return { line: pos.line, column: pos.col };
    };
  }

  function addObject(value: unknown, line: number, documentIndex: number, node: unknown, itemPath: Array<string | number>): void {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      errors.push(
        inputError("NOT_AN_OBJECT", file, `document ${documentIndex + 1} holds an item that is not an object`, {
          line,
          hint: "each item of a List must be one Kubernetes object",
        }),
      );
      return;
    }
    const object = stripNullKeys(value) as K8sObject;
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string" || !object.kind) {
      errors.push(
        inputError("MISSING_KIND", file, `document ${documentIndex + 1} has no apiVersion/kind: not a Kubernetes object`, {
          line,
          hint: "add apiVersion and kind, or move the file out of the audited paths",
        }),
      );
      return;
    }
    const resource: Resource = {
      ref: refOf(object),
      object,
      source: {
        file,
        line,
        documentIndex,
        ...(itemPath.length ? { itemPath } : {}),
        ...(options.renderedFrom ? { renderedFrom: options.renderedFrom } : {}),
      },
    };
    resources.push(resource);
    if (options.locateFields) locators.set(resource, locator(node));
  }
}
