/** Plain YAML/JSON: the field's key (or list item) in the file and document the object was read from. */
import type { FieldLocation, Resource } from "../types.js";
import type { FieldPath } from "../k8s/field-path.js";
import type { LocateContext, LocateRequest } from "./types.js";
import { positionOf } from "./yaml-file.js";

/** The field's line and column in `resource`'s own source; undefined when the file cannot be read or parsed again. */
export function locateInSource(resource: Resource, path: FieldPath, context: LocateContext): FieldLocation | undefined {
  const { file, documentIndex, itemPath } = resource.source;
  const parsed = context.files.get(file);
  if (!parsed) return undefined;
  const position = positionOf(parsed, documentIndex, itemPath ?? [], path);
  if (!position) return undefined;
  return {
    file,
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
