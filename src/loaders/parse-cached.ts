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
  if (cached) return withOrigins(cached, key);
  const text = typeof data === "string" ? data : data.toString("utf8");
  const result = await parse(text, options);
  if (!cache) return result;
  cache.put("parse", key, result);
  return withOrigins(result, key);
}

/** Each resource parsed under `--cache`, by the key of its stream's parse entry and its index in the stream. */
const origins = new WeakMap<Resource, string>();

/**
 * Where `resource` came from, when it was parsed under `--cache`: its stream's parse key (the bytes, name,
 * render origin, alias limit and tool) and its index in that stream, which together determine it.
 */
export function parsedOrigin(resource: Resource): string | undefined {
  return origins.get(resource);
}

function withOrigins(stream: ParsedStream, key: string): ParsedStream {
  stream.resources.forEach((resource, index) => origins.set(resource, `${key}#${index}`));
  return stream;
}
