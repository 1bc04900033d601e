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

/** How one stream is named and parsed: the name its resources and errors carry, its render origin, the alias limit. */
export interface StreamOptions {
  file: string;
  renderedFrom?: RenderOrigin;
  maxAliasCount?: number;
}

/** Parses `text`, strips null keys and type-checks every object: what a parse worker runs, and the in-thread path. */
export async function parseStream(text: string, options: StreamOptions): Promise<ParsedStream> {
  const parsed = parseManifestStream(text, { ...options, locateFields: true });
  const errors = [...parsed.errors];
  const checked = await typeCheckParsed(parsed, errors);
  return { resources: checked.resources, errors, unvalidatedKinds: checked.unvalidatedKinds };
}

/**
 * Parses and type-checks `data` (UTF-8) with `parse` (default in this thread), reading the result from
 * `cache` when an entry has the same key: the bytes, the name the stream is reported under, its render
 * origin, the alias limit and the tool's fingerprint.
 */
export async function parseThroughCache(
  data: Buffer | string,
  options: StreamOptions,
  cache: ResultCache | undefined,
  parse: (text: string, options: StreamOptions) => Promise<ParsedStream> = parseStream,
): Promise<ParsedStream> {
  const key = cache
    ? cacheKey("parse", toolFingerprint(), options.file, options.renderedFrom ?? null, options.maxAliasCount ?? null, data)
    : "";
  const cached = cache?.get<ParsedStream>("parse", key);
  if (cached) return cached;
  const text = typeof data === "string" ? data : data.toString("utf8");
  const result = await parse(text, options);
  cache?.put("parse", key, result);
  return result;
}
