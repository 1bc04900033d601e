/**
 * Checks an object the way the API server decodes it: every field's type, format and enum against the
 * schema of its kind, and no field the schema does not declare (kubectl apply's default
 * `--validate=strict`, and server-side apply, reject unknown fields).
 */
import type { K8sObject } from "../../types.js";
import { describeErrors, type AjvError } from "./messages.js";
import { podSpecSchema, schemaFor, type KindSchema } from "./registry.js";
import { decryptedShape } from "./sops.js";

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

/** Problems of `value` (found at `path` of `object`) against `schema`; unknown fields only when `strict`. */
function check(schema: KindSchema, object: K8sObject, value: object, path: Array<string | number>, strict: boolean): SchemaProblem[] {
  const records: ReadRecord[] = [];
  // The validators read `this`, and the older CRD packages find their schema ID on the model's prototype.
  const root = instrument(value, path, records, Object.create(schema.model.prototype) as object) as object;
  try {
    schema.model.prototype.validate.call(root);
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) throw error;
    const problems = describeErrors(errors, object, path);
    if (problems.length) return problems;
  }
  return strict ? unknownFields(records) : [];
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
