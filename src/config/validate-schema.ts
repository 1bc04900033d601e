/** Turns ajv errors into issues at key paths, with messages in YAML terms and "did you mean" hints. */
import type { ErrorObject } from "ajv";
import type { Issue, KeyPath } from "./validate-yaml.js";

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate `name` is plausibly a typo or an abbreviation of (ties: the first in sorted order). */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...candidates].sort()) {
    const lower = candidate.toLowerCase();
    const distance = wanted.length >= 3 && lower.startsWith(wanted) ? 1 : editDistance(wanted, lower);
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** ` (did you mean 'x'?)` or nothing. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const closest = closestName(name, candidates);
  return closest ? ` (did you mean '${closest}'?)` : "";
}

/** A value as the user wrote it: `"three"`, `3`, `a list`, `a mapping`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing (null)";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return value.length ? "a list" : "an empty list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean (true or false)",
  null: "null",
};

function typeNames(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_NAMES[String(t)] ?? String(t)).join(" or ");
}

/** JSON pointer → key path; a segment is a list index where the data at that point is a list. */
function pointerPath(pointer: string, data: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const segment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(segment);
    node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[segment] : undefined;
  }
  return path;
}

function knownKeys(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return Object.keys(properties ?? {});
}

function issueOf(error: ErrorObject, path: (string | number)[], noun: string): Issue | undefined {
  const params = error.params as Record<string, unknown>;
  const got = `, got ${describeValue(error.data)}`;
  switch (error.keyword) {
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const known = knownKeys(error);
      const expected = known.length ? `; expected one of: ${known.join(", ")}` : "";
      return { path: [...path, name], problem: `unknown ${noun} '${name}'${didYouMean(name, known)}${expected}` };
    }
    case "required":
      return { path: [...path, String(params.missingProperty)], problem: `required ${noun} '${params.missingProperty}' is missing` };
    case "propertyNames":
      return undefined; // the failing name's own error (below) says what is wrong with it
    case "type":
      return { path, problem: `must be ${typeNames(params.type)}${got}` };
    case "enum":
      return { path, problem: `must be one of ${(params.allowedValues as unknown[]).join(", ")}${got}` };
    case "minItems":
      return { path, problem: `must have at least ${params.limit} item${params.limit === 1 ? "" : "s"}${got}` };
    case "minLength":
      return { path, problem: `must have at least ${params.limit} character${params.limit === 1 ? "" : "s"}${got}` };
    case "const":
      return { path, problem: `must be ${describeValue(params.allowedValue)}${got}` };
    default:
      if (error.propertyName !== undefined)
        return { path: [...path, error.propertyName], problem: `invalid name '${error.propertyName}': ${error.message}` };
      return { path, problem: `${error.message}${got}` };
  }
}

/**
 * Issues for the errors of an ajv validator compiled with `verbose: true` (for the data and schema in
 * each error). `base` prefixes every path; `noun` names a map key in messages (`key`, `parameter`).
 */
export function schemaIssues(errors: readonly ErrorObject[] | null | undefined, data: unknown, base: KeyPath = [], noun = "key"): Issue[] {
  return (errors ?? []).flatMap((error) => issueOf(error, [...base, ...pointerPath(error.instancePath, data)], noun) ?? []);
}
