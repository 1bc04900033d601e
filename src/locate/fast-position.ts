/**
 * The fast path of positionOf (yaml-file.ts) for block-style YAML: the same walk from an object to
 * a field, over the key and item positions of block-yaml.ts instead of `yaml`'s document model.
 * It answers only where it is certain to give what positionOf gives; otherwise UNSURE.
 */
import type { FieldPath } from "../k8s/field-path.js";
import type { BlockEntry, BlockIndex, BlockMap, BlockNode, BlockPosition } from "./block-yaml.js";
import type { NodePosition } from "./yaml-file.js";

/** The fast path cannot tell: ask `yaml`. */
export const UNSURE = Symbol("unsure");

/** Where a path landed, without the object's extent. */
export type FieldPosition = Omit<NodePosition, "objectLines">;

/**
 * Where `path` lands from the object that starts on `line` (1-based: the document's first content
 * line, or the List item's line when `itemPath` is not empty), as positionOf would place it.
 */
export function fastPositionOf(index: BlockIndex, line: number, itemPath: FieldPath, path: FieldPath): NodePosition | typeof UNSURE {
  const walked = walk(index, line, itemPath, path);
  if (walked === UNSURE) return UNSURE;
  const { map, ...position } = walked;
  // The object's last line is certain only when no comment trails it (yaml's range may or may not hold the comment).
  if (map.lastLine === 0 || map.trailingComments) return UNSURE;
  return { ...position, objectLines: [map.line, map.lastLine] };
}

/** fastPositionOf for callers that need the field's position only: comments after the object do not make it unsure. */
export function fastFieldPositionOf(index: BlockIndex, line: number, itemPath: FieldPath, path: FieldPath): FieldPosition | typeof UNSURE {
  const walked = walk(index, line, itemPath, path);
  if (walked === UNSURE) return UNSURE;
  const { map: _map, ...position } = walked;
  return position;
}

function walk(index: BlockIndex, line: number, itemPath: FieldPath, path: FieldPath): (FieldPosition & { map: BlockMap }) | typeof UNSURE {
  const root = index.documentAt(line);
  if (!root) return UNSURE;
  let object: BlockNode = root;
  let objectAt: BlockPosition = root;
  for (const segment of itemPath) {
    const child = childOf(object, segment);
    if (child === UNSURE || child === undefined) return UNSURE;
    object = child.node;
    objectAt = child;
  }
  if (object.kind !== "map" || objectAt.line !== line) return UNSURE;
  const map: BlockMap = object;
  let node: BlockNode = map;
  let at: BlockPosition = map;
  let depth = 0;
  for (const segment of path) {
    const child = childOf(node, segment);
    if (child === UNSURE) return UNSURE;
    if (child === undefined) break;
    at = child;
    node = child.node;
    depth++;
  }
  return { line: at.line, column: at.column, depth, found: depth === path.length, map };
}

/** The key or item `segment` of `node`, as positionOf's childOf finds it; undefined where it finds none. */
function childOf(node: BlockNode, segment: string | number): BlockEntry | undefined | typeof UNSURE {
  switch (node.kind) {
    case "map":
      return node.certain ? node.keys.get(String(segment)) : UNSURE;
    case "seq": {
      if (typeof segment !== "number" || !Number.isInteger(segment) || segment < 0 || segment >= node.items.length) return undefined;
      return node.items[segment] ?? UNSURE;
    }
    case "scalar":
      return undefined;
    default:
      return UNSURE;
  }
}
