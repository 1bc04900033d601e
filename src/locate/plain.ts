/** Plain YAML/JSON: the field's key (or list item) in the file and document the object was read from. */
import type { FieldLocation, Resource } from "../types.js";
import type { FieldPath } from "../k8s/field-path.js";
import { fastPositionOf, UNSURE } from "./fast-position.js";
import type { LocateContext, LocateRequest } from "./types.js";
import { positionOf, type NodePosition } from "./yaml-file.js";

/**
 * Where `path` lands in the object's document: by the block index when the file is the one the audit
 * read and the fast path is certain, else by `yaml`'s document model (same answer, slower).
 */
export function placeInSource(resource: Resource, path: FieldPath, context: LocateContext): NodePosition | undefined {
  const { file, documentIndex, itemPath, line } = resource.source;
  const source = context.files.source(file);
  if (!source) return undefined;
  if (source.asAudited && context.files.fastPath) {
    const fast = fastPositionOf(source.blocks, line, itemPath ?? [], path);
    if (fast !== UNSURE) return fast;
  }
  return positionOf(source.yaml, documentIndex, itemPath ?? [], path);
}

/** The field's line and column in `resource`'s own source; undefined when the file cannot be read or parsed again. */
export function locateInSource(resource: Resource, path: FieldPath, context: LocateContext): FieldLocation | undefined {
  const position = placeInSource(resource, path, context);
  if (!position) return undefined;
  return {
    file: resource.source.file,
    line: position.line,
    column: position.column,
    via: path.length === 0 ? "object" : position.found ? "field" : "parent",
    objectLines: position.objectLines,
  };
}

/** The locator of plain-file units (a directory, files named together, stdin). */
export function locatePlain(request: LocateRequest, context: LocateContext): FieldLocation | undefined {
  return locateInSource(request.resource, request.path, context);
}
