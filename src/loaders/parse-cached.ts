/** Parsing and type-checking one stream, through the `--cache` when there is one. */
import { toolFingerprint } from "../cache/fingerprint.js";
import { cacheKey, type ResultCache } from "../cache/store.js";
import type { InputError, RenderOrigin, Resource } from "../types.js";
import { typeCheckParsed } from "./validate-types.js";
import { parseManifestStream } from "./yaml.js";

/** What one stream gave: its type-checked resources, its input errors, the kinds no shipped schema knows. */
export interface ParsedStream {
  resources: Resource[];
  errors: InputError[];
  unvalidatedKinds: string[];
}

/**
 * Parses and type-checks `data` (UTF-8), reading the result from `cache` when an entry has the same key:
 * the bytes, the name the stream is reported under, its render origin, the alias limit and the tool's fingerprint.
 */
export async function parseThroughCache(
  data: Buffer | string,
  options: { file: string; renderedFrom?: RenderOrigin; maxAliasCount?: number },
  cache: ResultCache | undefined,
): Promise<ParsedStream> {
  const key = cache
    ? cacheKey("parse", toolFingerprint(), options.file, options.renderedFrom ?? null, options.maxAliasCount ?? null, data)
    : "";
  const cached = cache?.get<ParsedStream>("parse", key);
  if (cached) return cached;
  const text = typeof data === "string" ? data : data.toString("utf8");
  const parsed = parseManifestStream(text, { ...options, locateFields: true });
  const errors = [...parsed.errors];
  const checked = await typeCheckParsed(parsed, errors);
  const result: ParsedStream = { resources: checked.resources, errors, unvalidatedKinds: checked.unvalidatedKinds };
  cache?.put("parse", key, result);
  return result;
}
