/** JSON paths of fields inside an object: how violations say which field to change. */

/** A JSON path as keys and list indexes, e.g. `["spec", "containers", 0, "image"]`; `[]` is the object itself. */
export type FieldPath = ReadonlyArray<string | number>;

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.containers[0].image`; keys that are not plain identifiers are quoted: `metadata.annotations["a.b/c"]`. */
export function formatPath(path: FieldPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function child(value: unknown, segment: string | number): unknown {
  if (typeof segment === "number") return Array.isArray(value) ? value[segment] : undefined;
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[segment] : undefined;
}

/** The longest prefix of `path` that exists in `obj` (a key holding null does not): where a missing field is added. */
export function closestPath(obj: unknown, path: FieldPath): FieldPath {
  let value = obj;
  for (let i = 0; i < path.length; i++) {
    value = child(value, path[i]!);
    if (value === undefined || value === null) return path.slice(0, i);
  }
  return path;
}

/** The value at `path`, or undefined. */
export function valueAtPath(obj: unknown, path: FieldPath): unknown {
  let value = obj;
  for (const segment of path) value = child(value, segment);
  return value;
}

/** The inverse of formatPath. */
export function parsePath(text: string): FieldPath {
  const out: Array<string | number> = [];
  const pattern = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[]+)/gy;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[1] !== undefined) out.push(Number(match[1]));
    else if (match[2] !== undefined) out.push(JSON.parse(match[2]) as string);
    else out.push(match[3]!);
    if (pattern.lastIndex >= text.length) break;
  }
  return out;
}
