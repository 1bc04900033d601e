/** Parsing and type-checking one stream, through the `--cache` when there is one. */
import { toolFingerprint } from "../cache/fingerprint.js";
import { cacheKey, type ResultCache } from "../cache/store.js";
import type { InputError, K8sObject, RenderOrigin, Resource } from "../types.js";
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

/** Bytes read from a file, with their SHA-256 (hex) computed by the caller from these very bytes. */
export interface HashedBytes {
  data: Buffer;
  sha256: string;
}

/**
 * Parses and type-checks `input` (UTF-8) with `parse` (default in this thread), reading the result from
 * `cache` when an entry has the same key: the bytes (by their SHA-256 when given as HashedBytes), the name
 * the stream is reported under, its render origin, the alias limit and the tool's fingerprint.
 */
export async function parseThroughCache(
  input: Buffer | string | HashedBytes,
  options: StreamOptions,
  cache: ResultCache | undefined,
  parse: (text: string, options: StreamOptions) => Promise<ParsedStream> = parseStream,
): Promise<ParsedStream> {
  const hashed = typeof input === "object" && "sha256" in input ? input : undefined;
  const data = hashed ? hashed.data : (input as Buffer | string);
  // The bytes' SHA-256 keys them as the bytes themselves would (hashing the input once, not twice); as an
  // object it is framed apart from any text or bytes (cacheKey).
  const content = hashed ? { sha256: hashed.sha256 } : data;
  const key = cache
    ? cacheKey("parse", toolFingerprint(), options.file, options.renderedFrom ?? null, options.maxAliasCount ?? null, content)
    : "";
  const cached = cache?.getSplit<StoredStream, K8sObject[]>("parse", key);
  if (cached) return withOrigins(fromStored(cached.head, cached.rest), key);
  const text = typeof data === "string" ? data : data.toString("utf8");
  const result = await parse(text, options);
  if (!cache) return result;
  const { resources, ...rest } = result;
  const stored: StoredStream = { resources: resources.map(({ ref, source }) => ({ ref, source })), ...rest };
  cache.putSplit(
    "parse",
    key,
    stored,
    resources.map((r) => r.object),
  );
  return withOrigins(result, key);
}

/**
 * A stream as its parse entry holds it: each resource without its object, which the entry keeps apart (a
 * run whose units all come from the cache reads its resources' names and sources, not their objects).
 */
interface StoredStream extends Omit<ParsedStream, "resources"> {
  resources: Array<Omit<Resource, "object">>;
}

/** The stream's resources, whose objects are decoded from the entry when the first of them is read. */
function fromStored(stored: StoredStream, objects: () => K8sObject[]): ParsedStream {
  const resources = stored.resources.map(({ ref, source }) => {
    const resource = { ref } as Resource;
    Object.defineProperty(resource, "object", {
      get: () => (decodeObjects(), resource.object),
      set: (object: K8sObject) => setObject(resource, object),
      enumerable: true,
      configurable: true,
    });
    resource.source = source;
    return resource;
  });
  const decodeObjects = () => {
    const decoded = objects();
    if (!Array.isArray(decoded) || decoded.length !== resources.length)
      throw new Error(
        `a parse entry of ${stored.resources[0]?.source.file ?? "a stream"} holds ${resources.length} resources but not as many objects`,
      );
    resources.forEach((resource, index) => {
      if (Object.getOwnPropertyDescriptor(resource, "object")?.get) setObject(resource, decoded[index]!);
    });
  };
  return { ...stored, resources };
}

function setObject(resource: Resource, object: K8sObject): void {
  Object.defineProperty(resource, "object", { value: object, writable: true, enumerable: true, configurable: true });
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
