/**
 * The resources of a parsed YAML stream: each document's object (a List's items instead of the List),
 * with its file, line and field locator, and the input errors both parse paths of yaml.ts report.
 */
import { isMap, isScalar, isSeq, type LineCounter } from "yaml";
import { refOf } from "../k8s/workloads.js";
import type { InputError, K8sObject, RenderOrigin, Resource } from "../types.js";
import { inputError } from "./errors.js";
import { stripNullKeys } from "../k8s/strip-nulls.js";

/** How a stream is parsed and reported. */
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

/** How a List's item is found: its YAML node (slow path only) and the line it starts on. */
export type ItemOf = (node: unknown, items: unknown[], index: number, fallbackLine: number) => { node: unknown; line: number };

/** Turns the documents of one stream into resources and input errors (shared by both parse paths). */
export function resourceCollector(options: ParseOptions, lineCounter: LineCounter | undefined) {
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
