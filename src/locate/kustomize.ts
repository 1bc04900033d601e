/**
 * Kustomize builds: the overlay line that sets a field, else the field in the resource's source.
 * The kustomizations of the build are walked outermost first (the outermost one that sets a field is
 * applied last); in each, the transformers (`images:`, `replicas:`, names, labels), then the patches
 * (last applied first), then the generators. A field no overlay sets is placed in the file that
 * declares the object, like a plain file. See docs/locations.md.
 */
import { resolve } from "node:path";
import { valueAtPath, type FieldPath } from "../k8s/field-path.js";
import type { FieldLocation, Resource } from "../types.js";
import { patchHit } from "./kustomize-patches.js";
import { generatorDataHit, generatorEntry, generatorLine, transformerHit } from "./kustomize-transformers.js";
import { kustomizationTree, namesAlongBuild, outermostFirst, resourceFacts } from "./kustomize-tree.js";
import { isRecord } from "../records.js";
import { translatePath } from "./merge-keys.js";
import type { LocateContext, LocateRequest } from "./types.js";
import { positionOf, type YamlFile } from "./yaml-file.js";

/** One object declared in a source file: where, and as what. */
interface Declared {
  document: number;
  itemPath: FieldPath;
  kind: string;
  name: string;
  namespace?: string;
  content: Record<string, unknown>;
}

/** The objects a source file declares (List items included), read once per run. */
function declaredIn(file: string, yaml: YamlFile, context: LocateContext): Declared[] {
  const key = `kustomize:declared:${file}`;
  if (context.memo.has(key)) return context.memo.get(key) as Declared[];
  const declared: Declared[] = [];
  const add = (content: unknown, document: number, itemPath: FieldPath) => {
    if (!isRecord(content)) return;
    if (content.kind === "List" && Array.isArray(content.items)) {
      content.items.forEach((item, i) => add(item, document, [...itemPath, "items", i]));
      return;
    }
    const metadata = isRecord(content.metadata) ? content.metadata : {};
    if (typeof content.kind !== "string" || typeof metadata.name !== "string") return;
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
    declared.push({ document, itemPath, kind: content.kind, name: metadata.name, namespace, content });
  };
  yaml.documents.forEach((document, i) => {
    try {
      add(document.toJS({ maxAliasCount: 1000 }), i, []);
    } catch {
      /* a document the loader rejected declares nothing */
    }
  });
  context.memo.set(key, declared);
  return declared;
}

/**
 * The object in the resource's source file: same kind, and one of its names along the build (`exact`),
 * else the longest name the built name contains, like the loader's attribution; a namespace match first.
 */
function sourceObject(
  resource: Resource,
  names: Set<string>,
  context: LocateContext,
): { yaml: YamlFile; object: Declared; exact: boolean } | undefined {
  const yaml = context.files.get(resource.source.file);
  if (!yaml) return undefined;
  const { kind, name, namespace } = resource.ref;
  const candidates = declaredIn(resource.source.file, yaml, context).filter((d) => d.kind === kind && name.includes(d.name));
  const score = (d: Declared) => (names.has(d.name) ? 1e6 : d.name.length) + (d.namespace === namespace ? 0.5 : 0);
  const object = candidates.sort((a, b) => score(b) - score(a))[0];
  return object && { yaml, object, exact: names.has(object.name) };
}

/** The field's key in the resource's source (or its closest parent there). */
function inSource(resource: Resource, source: { yaml: YamlFile; object: Declared }, path: FieldPath): FieldLocation | undefined {
  const translated = translatePath(source.object.content, resource.object, path);
  const position = positionOf(source.yaml, source.object.document, source.object.itemPath, translated.path);
  if (!position) return undefined;
  return {
    file: resource.source.file,
    line: position.line,
    column: position.column,
    via: path.length === 0 ? "object" : translated.complete && position.found ? "field" : "parent",
    objectLines: position.objectLines,
  };
}

/** A mapping, or a list of mappings: a strategic merge adds to it rather than sets it. */
const isMerged = (value: unknown) => isRecord(value) || (Array.isArray(value) && value.some(isRecord));

/** The locator of Kustomize units. */
export function locateKustomize(request: LocateRequest, context: LocateContext): FieldLocation | undefined {
  const { unit, resource, path } = request;
  const root = kustomizationTree(resolve(context.cwd, resource.source.renderedFrom?.path ?? unit.path), context);
  const names = root ? namesAlongBuild(root, resource.ref.kind, resource.ref.name) : new Set([resource.ref.name]);
  const found = sourceObject(resource, names, context);
  if (!root) return found && inSource(resource, found, path);
  // A generated object the loader attributed to a declared one with a name it merely contains.
  const bare = resourceFacts(resource, names, {});
  const generated = !found?.exact && [...outermostFirst(root, undefined)].some((k) => generatorEntry(k, bare));
  const source = generated ? undefined : found;
  const inBase = source && inSource(resource, source, path);
  const facts = resourceFacts(resource, names, { name: source?.object.name, namespace: source?.object.namespace });
  const patchRequest = {
    path,
    built: resource.object,
    facts,
    mergedCounts: !(isMerged(valueAtPath(resource.object, path)) && inBase?.via === "field"),
  };
  let generator: FieldLocation | undefined;
  for (const k of outermostFirst(root, source && resolve(context.cwd, resource.source.file))) {
    const entry = generated ? generatorEntry(k, facts) : undefined;
    if (path.length > 0) {
      const hit =
        transformerHit(k, path, facts, resource.object) ??
        patchHit(k, patchRequest, context) ??
        (entry && generatorDataHit(k, entry, path, context));
      if (hit) return hit;
    }
    if (entry) generator = generatorLine(k, entry) ?? generator;
  }
  return inBase ?? generator;
}
