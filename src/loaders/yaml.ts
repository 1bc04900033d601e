/** Parses a YAML or JSON stream into resources that remember their file and line. */
import { LineCounter, parseAllDocuments, isMap, isSeq, type Document } from "yaml";
import { refOf } from "../k8s/workloads.js";
import type { InputError, K8sObject, RenderOrigin, Resource } from "../types.js";
import { inputError } from "./errors.js";

export interface ParseOptions {
  /** Name reported for the stream (a file path, `<stdin>`, or a render's label). */
  file: string;
  renderedFrom?: RenderOrigin;
  /** Most aliases a document may resolve (guards against alias bombs). */
  maxAliasCount?: number;
}

export interface ParseResult {
  resources: Resource[];
  errors: InputError[];
}

/** Deepest nesting accepted; real objects (even CRD schemas) stay far below it, and recursive code stays safe. */
export const MAX_DEPTH = 256;

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

export function parseManifestStream(text: string, options: ParseOptions): ParseResult {
  const { file } = options;
  const lineCounter = new LineCounter();
  const resources: Resource[] = [];
  const errors: InputError[] = [];
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
    const object = value as K8sObject;
    if (typeof object.kind === "string" && object.kind.endsWith("List") && Array.isArray(object.items)) {
      const itemsNode = doc.get("items", true);
      (object.items as unknown[]).forEach((item, i) => {
        const node = isSeq(itemsNode) ? itemsNode.items[i] : undefined;
        const range = (node as { range?: [number, number, number] } | undefined)?.range;
        const line = range ? lineCounter.linePos(range[0]).line : position.line;
        addObject(item, line, documentIndex);
      });
      return;
    }
    addObject(object, position.line, documentIndex);
  });
  return { resources, errors };

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

  function addObject(value: unknown, line: number, documentIndex: number): void {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      errors.push(
        inputError("NOT_AN_OBJECT", file, `document ${documentIndex + 1} holds an item that is not an object`, {
          line,
          hint: "each item of a List must be one Kubernetes object",
        }),
      );
      return;
    }
    const object = value as K8sObject;
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string" || !object.kind) {
      errors.push(
        inputError("MISSING_KIND", file, `document ${documentIndex + 1} has no apiVersion/kind: not a Kubernetes object`, {
          line,
          hint: "add apiVersion and kind, or move the file out of the audited paths",
        }),
      );
      return;
    }
    resources.push({
      ref: refOf(object),
      object,
      source: { file, line, documentIndex, ...(options.renderedFrom ? { renderedFrom: options.renderedFrom } : {}) },
    });
  }
}
