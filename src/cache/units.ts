/**
 * `--cache` for evaluation: each unit's findings (located), engine disagreements and control runs are
 * stored under a key of the run (tool, engines, controls, config, options) and of the unit (its
 * resources, profile and the bytes of the files its findings are placed in); only the units whose key
 * is not in the cache are evaluated.
 */
import type { Evaluation } from "../evaluation/units.js";
import { parsedOrigin } from "../loaders/parse-cached.js";
import type { AuditUnit, InputFile } from "../types.js";
import { plainJsonValues } from "./plain-json.js";
import { cacheKey, type KeyPart, type ResultCache } from "./store.js";

/** The part of a unit's key that is not the unit itself. */
export interface UnitKeyContext {
  /** Key of everything the run's evaluation depends on besides the units (see `audit()`). */
  runKey: string;
  /** Every input file read, with its SHA-256. */
  inputs: readonly InputFile[];
  /** Streams that are not files (stdin), by name. */
  texts: ReadonlyMap<string, string>;
}

/** JSON of values YAML can produce that JSON cannot hold, each tagged so that it keys differently from a string or an object. */
function tagged(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Map) return ["\u0000Map", [...value.entries()]];
  if (value instanceof Set) return ["\u0000Set", [...value.values()]];
  if (value instanceof Uint8Array) return ["\u0000Bytes", Buffer.from(value).toString("base64")];
  if (typeof value === "bigint") return ["\u0000BigInt", value.toString()];
  if (typeof value === "number" && !Number.isFinite(value)) return ["\u0000Number", String(value)];
  return value;
}

/** `plain:` and the unit's JSON, when JSON keeps all its values apart (see plainJsonValues); else undefined. */
function plainBody(unit: AuditUnit): string | undefined {
  let json: string;
  try {
    json = JSON.stringify(unit);
  } catch {
    return undefined;
  }
  return plainJsonValues(unit, true) ? `plain:${json}` : undefined;
}

/**
 * `parsed:` and the unit's JSON with each resource replaced by where it was parsed from (parsedOrigin),
 * when every resource has one; else undefined. The parse key holds the stream's bytes and everything its
 * parse depends on, so this keys the resources as their own JSON would, without printing them.
 */
function parsedBody(unit: AuditUnit): string | undefined {
  const resources: string[] = [];
  for (const resource of unit.resources) {
    const origin = parsedOrigin(resource);
    if (origin === undefined) return undefined;
    resources.push(origin);
  }
  return `parsed:${JSON.stringify({ ...unit, resources })}`;
}

/**
 * A plain unit's findings are placed in the files of its resources, so those files' hashes are enough;
 * a chart or overlay is rendered again to place them, and its resources' sources are attributed from
 * its files, so every input file of the run is in its key.
 */
function unitKey(unit: AuditUnit, context: UnitKeyContext, hashes: ReadonlyMap<string, string>): string | undefined {
  // JSON without a replacer is twice as fast; it is used only when every value is one JSON keeps apart.
  let body = parsedBody(unit) ?? plainBody(unit);
  if (body === undefined)
    try {
      body = `tagged:${JSON.stringify(unit, tagged)}`;
    } catch {
      return undefined;
    }
  const files: KeyPart[] =
    unit.kind === "files" || unit.kind === "stdin"
      ? [...new Set(unit.resources.map((r) => r.source.file))].sort().map((f) => [f, hashes.get(f) ?? context.texts.get(f) ?? "unknown"])
      : context.inputs.map((i) => [i.path, i.sha256]);
  return cacheKey("unit", context.runKey, body, files);
}

/** Each unit's cache key (undefined: the unit cannot be keyed, and is never cached). */
export function unitKeys(units: readonly AuditUnit[], context: UnitKeyContext): Array<string | undefined> {
  const hashes = new Map(context.inputs.map((i) => [i.path, i.sha256]));
  return units.map((u) => unitKey(u, context, hashes));
}

/**
 * `compute(unit)` for each unit, from the cache's `namespace` where the unit's key is found (a value
 * that depends on nothing but the unit and the run, such as its network model); computed values are stored.
 */
export function perUnitThroughCache<T>(
  namespace: string,
  units: readonly AuditUnit[],
  cache: ResultCache | undefined,
  keys: ReadonlyArray<string | undefined>,
  compute: (unit: AuditUnit) => T,
): T[] {
  return units.map((unit, i) => {
    const key = keys[i];
    if (!cache || !key) return compute(unit);
    const cached = cache.get<T>(namespace, key);
    if (cached !== undefined) return cached;
    const value = compute(unit);
    cache.put(namespace, key, value);
    return value;
  });
}

/**
 * The evaluation of `units`, from the cache where their keys (`unitKeys`) are found; `evaluate` runs (and
 * places the findings of) the others, whose results are then stored. The result lists units in the order given.
 */
export async function evaluateThroughCache(
  units: readonly AuditUnit[],
  cache: ResultCache | undefined,
  keys: ReadonlyArray<string | undefined>,
  evaluate: (units: readonly AuditUnit[]) => Promise<Evaluation>,
): Promise<Evaluation> {
  if (!cache) return evaluate(units);
  const cached = units.map((u, i) => (keys[i] ? cache.get<Evaluation>("unit", keys[i]!) : undefined));
  const todo = units.filter((_, i) => !cached[i]);
  const fresh = todo.length ? await evaluate(todo) : { findings: [], disagreements: [], runs: [] };
  const out: Evaluation = { findings: [], disagreements: [], runs: [] };
  units.forEach((unit, i) => {
    const part = cached[i] ?? {
      findings: fresh.findings.filter((f) => f.unit === unit.id),
      disagreements: fresh.disagreements.filter((d) => d.unit === unit.id),
      runs: fresh.runs.filter((r) => r.unit === unit.id),
    };
    if (!cached[i] && keys[i]) cache.put("unit", keys[i]!, part);
    out.findings.push(...part.findings);
    out.disagreements.push(...part.disagreements);
    out.runs.push(...part.runs);
  });
  return out;
}
