/**
 * Checks an object the way the API server decodes it: every field's type, format and enum against the
 * schema of its kind, and no field the schema does not declare (kubectl apply's default
 * `--validate=strict`, and server-side apply, reject unknown fields).
 */
import type { K8sObject } from "../../types.js";
import { describeErrors, type AjvError } from "./messages.js";
import { podSpecSchema, schemaFor, type KindSchema } from "./registry.js";
import { decryptedShape } from "./sops.js";
import { setOwn, stripNullKeys } from "../strip-nulls.js";

/** One field the API server would reject. */
export interface SchemaProblem {
  /** Path of the field from the object's root (array indices as numbers). */
  path: Array<string | number>;
  /** What is wrong, e.g. `must be integer, got string "2"`. */
  message: string;
}

/** The result of checking one object: `unknownKind` when no shipped schema knows its apiVersion/kind. */
export interface TypeCheck {
  schema?: string;
  unknownKind: boolean;
  problems: SchemaProblem[];
}

/** What the validator read of one object of the input: a key never read by a schema that reads some is unknown. */
interface ReadRecord {
  path: Array<string | number>;
  keys: string[];
  read: Set<string>;
  /** The schema enumerated the keys (a map such as `labels`): every key is declared. */
  enumerated: boolean;
}

/**
 * The API server treats `null` as "not set" (built-in types decode it to the zero value; custom
 * resources prune it before validation), so null fields are dropped before checking, and each
 * object is wrapped in a proxy that records which keys the generated validator reads.
 */
function instrument(value: unknown, path: Array<string | number>, records: ReadRecord[], root?: object): unknown {
  if (Array.isArray(value)) return value.map((v, i) => instrument(v, [...path, i], records));
  if (value === null || typeof value !== "object") return value;
  const target: Record<string, unknown> = (root ?? {}) as Record<string, unknown>;
  for (const [key, child] of Object.entries(value)) {
    if (child === null) continue;
    Object.defineProperty(target, key, {
      value: instrument(child, [...path, key], records),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const record: ReadRecord = { path, keys: Object.keys(target), read: new Set(), enumerated: false };
  records.push(record);
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    ownKeys(t) {
      record.enumerated = true;
      return Reflect.ownKeys(t);
    },
  });
}

/**
 * Keys the model generator strips from every schema with the documentation, so the validators never
 * read them even where the API declares them (PriorityClass.description, a CRD's JSONSchemaProps):
 * never reported as unknown, and not type-checked.
 */
const STRIPPED_BY_GENERATOR = /^(description|x-kubernetes-.+)$/;

/** An object whose schema declares properties (the validator read at least one) is closed: its other keys are unknown. */
function unknownFields(records: readonly ReadRecord[]): SchemaProblem[] {
  return records
    .filter((r) => !r.enumerated && r.read.size > 0)
    .flatMap((r) =>
      r.keys
        .filter((k) => !r.read.has(k) && !STRIPPED_BY_GENERATOR.test(k))
        .map((k) => ({ path: [...r.path, k], message: `unknown field "${k}"` })),
    )
    .sort((a, b) => comparePaths(a.path, b.path));
}

function comparePaths(a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    return typeof a[i] === "number" && typeof b[i] === "number"
      ? (a[i] as number) - (b[i] as number)
      : String(a[i]) < String(b[i])
        ? -1
        : 1;
  }
  return a.length - b.length;
}

/** The problems the generated validator finds in `root` (a copy of the value with the model's prototype). */
function validatorProblems(schema: KindSchema, root: object, object: K8sObject, path: Array<string | number>): SchemaProblem[] {
  try {
    schema.model.prototype.validate.call(root);
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) throw error;
    return describeErrors(errors, object, path);
  }
  return [];
}

/** A shape signature longer than this is not remembered (a ConfigMap of thousands of keys is checked by itself). */
const MAX_SIGNATURE = 16_384;
/** Shapes remembered at most per kind; its memory is emptied when full. */
const MAX_SHAPES = 4_096;

/**
 * Unknown fields of error-free values, by the kind's model, path and shape. The validators read the keys their
 * schema declares whatever the values are, so two values of one shape (the same keys, nested the same way,
 * each scalar of the same JSON type) have the same unknown fields: the proxies that record what the
 * validator reads run once per shape, and a value of a known shape is validated as a plain copy.
 */
const unknownByShape = new Map<KindSchema["model"], Map<string, SchemaProblem[]>>();

/** Forgets every shape: the next check of each value runs the recording validator again (tests compare both ways). */
export function forgetShapes(): void {
  unknownByShape.clear();
}

/**
 * The shape of a value without its null fields: every key (length-prefixed, so no key can pass for
 * another) with the shape of its value, in order; `s`, `i`, `n`, `b`, `z` for a string, an integer,
 * another number, a boolean, a null list item. Undefined when longer than `max`; `nullFields` tells
 * whether a null field was left out.
 */
export function shapeOf(value: unknown, max = MAX_SIGNATURE): { signature: string; nullFields: boolean } | undefined {
  const parts: string[] = [];
  let length = 0;
  let nullFields = false;
  const walk = (v: unknown): boolean => {
    let part: string;
    if (Array.isArray(v)) {
      parts.push("[");
      for (const item of v) if (!walk(item)) return false;
      part = "]";
    } else if (v !== null && typeof v === "object") {
      parts.push("{");
      for (const [key, child] of Object.entries(v)) {
        if (child === null) {
          nullFields = true;
          continue;
        }
        parts.push(`${key.length}:${key}`);
        length += key.length + 4;
        if (length > max || !walk(child)) return false;
      }
      part = "}";
    } else part = v === null ? "z" : typeof v === "string" ? "s" : typeof v === "boolean" ? "b" : Number.isInteger(v) ? "i" : "n";
    parts.push(part);
    return ++length <= max;
  };
  return walk(value) ? { signature: parts.join(""), nullFields } : undefined;
}

/** What the validator reads as `this`: the fields of `value` (its null fields left out) on an object of the model's prototype. */
function validatorRoot(schema: KindSchema, value: object, nullFields: boolean): object {
  const root = Object.create(schema.model.prototype as object) as Record<string, unknown>;
  for (const [key, child] of Object.entries(nullFields ? stripNullKeys(value) : value)) setOwn(root, key, child);
  return root;
}

/** Remembered problems are handed out as copies: a caller may change what it gets. */
const copyProblems = (problems: readonly SchemaProblem[]): SchemaProblem[] =>
  problems.map((p) => ({ path: [...p.path], message: p.message }));

/** Problems of `value` (found at `path` of `object`) against `schema`; unknown fields only when `strict`. */
function check(schema: KindSchema, object: K8sObject, value: object, path: Array<string | number>, strict: boolean): SchemaProblem[] {
  const shape = strict ? shapeOf(value) : undefined;
  const key = shape && `${JSON.stringify(path)}\u0000${shape.signature}`;
  let shapes = unknownByShape.get(schema.model);
  if (!shapes) unknownByShape.set(schema.model, (shapes = new Map()));
  const known = key === undefined ? undefined : shapes.get(key);
  // The validators read `this`, and the older CRD packages find their schema ID on the model's prototype.
  if (known) {
    const problems = validatorProblems(schema, validatorRoot(schema, value, shape!.nullFields), object, path);
    return problems.length ? problems : copyProblems(known);
  }
  const records: ReadRecord[] = [];
  const root = instrument(value, path, records, Object.create(schema.model.prototype) as object) as object;
  const problems = validatorProblems(schema, root, object, path);
  if (problems.length || !strict) return problems;
  const unknown = unknownFields(records);
  if (key !== undefined) {
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(key, copyProblems(unknown));
  }
  return unknown;
}

/** Every map holding a `containers` list, outside `metadata`: the pod specs a custom resource embeds. */
function embeddedPodSpecs(value: unknown, path: Array<string | number>, out: Array<{ path: Array<string | number>; spec: object }>): void {
  if (Array.isArray(value)) return value.forEach((v, i) => embeddedPodSpecs(v, [...path, i], out));
  if (value === null || typeof value !== "object") return;
  if (Array.isArray((value as Record<string, unknown>).containers)) out.push({ path, spec: value });
  for (const [key, child] of Object.entries(value))
    if (!(path.length === 0 && key === "metadata")) embeddedPodSpecs(child, [...path, key], out);
}

/**
 * Checks `object` against the schema of its apiVersion/kind. A kind no shipped package knows is not
 * checked as a whole, but every pod spec it embeds is checked against core/v1 PodSpec (types only: the
 * pod-level controls read it as one, so a wrong type there would make them judge a guess). A
 * SOPS-encrypted object is checked in its decrypted shape (see sops.ts).
 */
export async function checkObjectTypes(input: K8sObject): Promise<TypeCheck> {
  const object = decryptedShape(input);
  const schema =
    typeof object.apiVersion === "string" && typeof object.kind === "string" ? await schemaFor(object.apiVersion, object.kind) : undefined;
  if (schema) return { schema: schema.source, unknownKind: false, problems: check(schema, object, object, [], true) };
  const specs: Array<{ path: Array<string | number>; spec: object }> = [];
  embeddedPodSpecs(object, [], specs);
  const pod = specs.length ? await podSpecSchema() : undefined;
  return { unknownKind: true, problems: specs.flatMap(({ path, spec }) => check(pod!, object, spec, path, false)) };
}
