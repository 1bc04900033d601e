/**
 * The patches of one kustomization (`patches:`, `patchesStrategicMerge:`, `patchesJson6902:`; in files
 * or inline) and the line in one of them that sets a field of a built object: a strategic-merge
 * patch's key (lists matched by merge key), or a JSON 6902 op whose path is the field or one of its
 * parents (then the field's key inside the op's value, when it has it).
 */
import { relative, resolve } from "node:path";
import { isScalar, type Document } from "yaml";
import { valueAtPath, type FieldPath } from "../k8s/field-path.js";
import type { FieldLocation } from "../types.js";
import { selects, type Kustomization, type ResourceFacts } from "./kustomize-tree.js";
import { isRecord } from "../records.js";
import { translatePath } from "./merge-keys.js";
import type { LocateContext } from "./types.js";
import { parseYaml, positionOf, type YamlFile } from "./yaml-file.js";

/** A patch's text, and where its first line and column sit in the file a person edits. */
interface PatchText {
  file: string;
  yaml: YamlFile;
  /** Lines and columns to add to positions in `yaml` (an inline block scalar), or the one place to point at (other inline scalars). */
  shift: { line: number; column: number } | { at: { line: number; column: number } };
}

/** One patch of a kustomization, in the order kustomize applies them. */
interface PatchEntry {
  text: PatchText;
  target?: Record<string, unknown>;
  /** Each document's content as plain data (undefined when it cannot be read). */
  contents: unknown[];
}

const records = (value: unknown): Array<Record<string, unknown> | undefined> =>
  Array.isArray(value) ? value.map((v) => (isRecord(v) ? v : undefined)) : [];

/** The text of a patch file named in kustomization `k`. */
function fileText(k: Kustomization, path: string, context: LocateContext): PatchText | undefined {
  const file = relative(context.cwd, resolve(k.dir, path));
  const yaml = context.files.get(file);
  return yaml && { file, yaml, shift: { line: 0, column: 0 } };
}

/** The text of a patch written inline at `at` in kustomization `k`: a literal block (`|`) keeps its lines, so positions map line for line. */
function inlineText(k: Kustomization, at: FieldPath, context: LocateContext): PatchText | undefined {
  const key = `kustomize:inline:${k.file}:${at.join("/")}`;
  if (context.memo.has(key)) return context.memo.get(key) as PatchText | undefined;
  const document = k.yaml.documents[0] as Document | undefined;
  const node: unknown = document?.getIn(at, true);
  let text: PatchText | undefined;
  if (isScalar(node) && typeof node.value === "string" && node.range) {
    const yaml = parseYaml(node.value);
    const header = k.yaml.lineCounter.linePos(node.range[0]).line;
    const firstContent = k.yaml.text
      .split("\n")
      .slice(header)
      .find((line) => line.trim() !== "");
    if (node.type === "BLOCK_LITERAL" && firstContent !== undefined) {
      text = { file: k.file, yaml, shift: { line: header, column: firstContent.length - firstContent.trimStart().length } };
    } else {
      const position = positionOf(k.yaml, 0, [], at);
      if (position) text = { file: k.file, yaml, shift: { at: { line: position.line, column: position.column } } };
    }
  }
  context.memo.set(key, text);
  return text;
}

/** The patches of `k`, in the order kustomize applies them. */
function patchesOf(k: Kustomization, context: LocateContext): PatchEntry[] {
  const key = `kustomize:patches:${k.file}`;
  if (context.memo.has(key)) return context.memo.get(key) as PatchEntry[];
  const entries: PatchEntry[] = [];
  const add = (text: PatchText | undefined, target?: unknown) => {
    if (!text) return;
    const contents = text.yaml.documents.map((document) => {
      try {
        return document.toJS({ maxAliasCount: 1000 }) as unknown;
      } catch {
        return undefined;
      }
    });
    entries.push({ text, target: isRecord(target) ? target : undefined, contents });
  };
  const smp = k.fields.patchesStrategicMerge;
  (Array.isArray(smp) ? smp : []).forEach((patch, i) => {
    if (typeof patch !== "string") return;
    add(patch.includes("\n") ? inlineText(k, ["patchesStrategicMerge", i], context) : fileText(k, patch, context));
  });
  for (const field of ["patches", "patchesJson6902"]) {
    records(k.fields[field]).forEach((entry, i) => {
      if (!entry) return;
      if (typeof entry.path === "string") add(fileText(k, entry.path, context), entry.target);
      else if (typeof entry.patch === "string") add(inlineText(k, [field, i, "patch"], context), entry.target);
    });
  }
  context.memo.set(key, entries);
  return entries;
}

function placed(text: PatchText, document: number, start: FieldPath, path: FieldPath): FieldLocation | undefined {
  const position = positionOf(text.yaml, document, start, path);
  if (!position?.found) return undefined;
  const at = "at" in text.shift ? text.shift.at : { line: position.line + text.shift.line, column: position.column + text.shift.column };
  return { file: text.file, line: at.line, column: at.column, via: "kustomize-patch" };
}

/** A strategic-merge patch document that writes the field. */
function strategicMergeHit(
  text: PatchText,
  document: number,
  patch: Record<string, unknown>,
  target: Record<string, unknown> | undefined,
  request: PatchRequest,
): FieldLocation | undefined {
  const metadata = isRecord(patch.metadata) ? patch.metadata : {};
  const own = target ?? { kind: patch.kind, name: metadata.name, namespace: metadata.namespace };
  if (!target && (typeof patch.kind !== "string" || typeof metadata.name !== "string")) return undefined;
  if (!selects(own, request.facts)) return undefined;
  const translated = translatePath(patch, request.built, request.path);
  if (!translated.complete || valueAtPath(patch, translated.path) === null) return undefined;
  return placed(text, document, [], translated.path);
}

/** `/a/b~1c/0` → `["a", "b/c", "0"]`. */
const pointer = (path: string): string[] =>
  path
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));

/** How many leading segments of `path` the op's pointer names (`-` is the last item of the built list); -1 when it names another field. */
function pointerPrefix(ops: string[], path: FieldPath, built: unknown): number {
  if (ops.length > path.length) return -1;
  for (let i = 0; i < ops.length; i++) {
    const segment = ops[i];
    if (segment === "-") {
      const list = valueAtPath(built, path.slice(0, i));
      if (!Array.isArray(list) || path[i] !== list.length - 1) return -1;
    } else if (segment !== String(path[i])) return -1;
  }
  return ops.length;
}

/** The last JSON 6902 op of a list that writes the field or one of its parents. */
function jsonPatchHit(
  text: PatchText,
  document: number,
  ops: unknown[],
  target: Record<string, unknown> | undefined,
  request: PatchRequest,
) {
  if (!target || !selects(target, request.facts)) return undefined;
  for (let j = ops.length - 1; j >= 0; j--) {
    const op = ops[j];
    if (!isRecord(op) || typeof op.path !== "string" || !["add", "replace", "copy", "move"].includes(String(op.op))) continue;
    const length = pointerPrefix(pointer(op.path), request.path, request.built);
    if (length < 0) continue;
    if (length === request.path.length || op.op === "copy" || op.op === "move") return placed(text, document, [j], ["path"]);
    const inside = translatePath(op.value, valueAtPath(request.built, request.path.slice(0, length)), request.path.slice(length));
    if (inside.complete) return placed(text, document, [j, "value"], inside.path);
  }
  return undefined;
}

/** The field to place: its path in the built object, the object, and the resource at every stage of the build. */
export interface PatchRequest {
  path: FieldPath;
  built: unknown;
  facts: ResourceFacts;
  /** False when the field is a mapping or a list of objects the base declares: a strategic merge only adds to it. */
  mergedCounts: boolean;
}

/** The line of the last patch of `k` that writes the field, if any. */
export function patchHit(k: Kustomization, request: PatchRequest, context: LocateContext): FieldLocation | undefined {
  const entries = patchesOf(k, context);
  for (let e = entries.length - 1; e >= 0; e--) {
    const { text, target, contents } = entries[e]!;
    for (let d = contents.length - 1; d >= 0; d--) {
      const content = contents[d];
      const hit = Array.isArray(content)
        ? jsonPatchHit(text, d, content, target, request)
        : isRecord(content) && request.mergedCounts
          ? strategicMergeHit(text, d, content, target, request)
          : undefined;
      if (hit) return hit;
    }
  }
  return undefined;
}
