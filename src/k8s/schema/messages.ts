/** Turns the errors of a generated (ajv) validator into one plain sentence per field. */
import type { SchemaProblem } from "./validate.js";

/** The part of an ajv error the messages use. */
export interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const FORMATS: Record<string, string> = {
  quantity: "a quantity such as 500m, 2 or 1Gi",
  int32: "a 32-bit integer",
  int64: "a 64-bit integer",
  byte: "base64-encoded data",
  "date-time": "an RFC 3339 date-time",
};

function pointerSegments(pointer: string): string[] {
  return pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The path of a JSON pointer below `base`, with array indices as numbers where the object holds an array. */
function pathOf(object: unknown, base: ReadonlyArray<string | number>, pointer: string): Array<string | number> {
  const path: Array<string | number> = [...base];
  let value = valueAt(object, base);
  for (const segment of pointerSegments(pointer)) {
    const index = Array.isArray(value) && /^\d+$/.test(segment) ? Number(segment) : segment;
    path.push(index);
    value = value !== null && typeof value === "object" ? (value as Record<string | number, unknown>)[index] : undefined;
  }
  return path;
}

function valueAt(object: unknown, path: ReadonlyArray<string | number>): unknown {
  let value = object;
  for (const key of path)
    value = value !== null && typeof value === "object" ? (value as Record<string | number, unknown>)[key] : undefined;
  return value;
}

/** `string "2"`, `number 3`, `object`: what the input holds, for the message. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "object") return "object";
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}..."` : text}`;
}

/** One message per field: a format beats the types it narrows, types beat the oneOf that offered them. */
function describeField(errors: readonly AjvError[], value: unknown): string | undefined {
  const got = `, got ${describeValue(value)}`;
  const format = errors.find((e) => e.keyword === "format");
  if (format) {
    const name = String(format.params.format);
    return `must be ${FORMATS[name] ?? `a valid ${name}`}${got}`;
  }
  const types = [...new Set(errors.filter((e) => e.keyword === "type").map((e) => String(e.params.type)))];
  if (types.length) return `must be ${types.join(" or ")}${got}`;
  const oneOfEnum = errors.find((e) => e.keyword === "enum");
  if (oneOfEnum) return `must be one of ${(oneOfEnum.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}${got}`;
  const other = errors.find((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf" && e.keyword !== "required");
  if (other) return `${other.message ?? `fails ${other.keyword}`}${got}`;
  if (errors.some((e) => e.keyword === "oneOf" || e.keyword === "anyOf")) return `matches none of the allowed forms${got}`;
  return undefined;
}

/** The problems ajv reported on `object` (checked from `base`), one per field, in the order ajv found them. */
export function describeErrors(errors: readonly AjvError[], object: unknown, base: ReadonlyArray<string | number> = []): SchemaProblem[] {
  const byField = new Map<string, AjvError[]>();
  const problems: SchemaProblem[] = [];
  for (const error of errors) {
    if (error.keyword === "required") {
      const missing = String(error.params.missingProperty);
      problems.push({ path: [...pathOf(object, base, error.instancePath), missing], message: "required field is missing" });
      continue;
    }
    byField.set(error.instancePath, [...(byField.get(error.instancePath) ?? []), error]);
  }
  for (const [pointer, fieldErrors] of byField) {
    const path = pathOf(object, base, pointer);
    const message = describeField(fieldErrors, valueAt(object, path));
    if (message) problems.push({ path, message });
  }
  return dedupe(problems);
}

/** A oneOf whose branches each report a required field adds nothing a reader can act on beyond the first. */
function dedupe(problems: SchemaProblem[]): SchemaProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
