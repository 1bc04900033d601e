/**
 * A content-addressed store of results on disk (`--cache`): each entry is found by a key that hashes
 * everything its value depends on, written atomically (temporary file, then rename) and checked
 * (magic, SHA-256 of the payload, the key it was stored under) before it is trusted. Entries are
 * serialized when put and written in the background (file creation costs a millisecond or more on
 * some file systems: 0.9 s of a 10,000-resource run written in line); `flush()` waits for the writes.
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync, rmSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { privatePathProblem, statsProblem } from "../tools/private-path.js";
import { plainJsonValues } from "./plain-json.js";

const MAGIC = Buffer.from("ERLMCP-AUDIT-CACHE-2\n");
const DIGEST_BYTES = 32;
/**
 * How a payload is encoded, its first byte: JSON where JSON gives the value back equal (plainJsonValues),
 * which V8 reads faster than its own serialization of the same objects (the parse entries of 10,000
 * resources: 62–96 ms against 105–125 ms); `v8.serialize` for the rest (YAML's sets, maps, bytes, NaN).
 */
const JSON_PAYLOAD = 0x6a; // j
const V8_PAYLOAD = 0x76; // v
/**
 * A value stored in two parts (`putSplit`): the byte, the length of the first part's payload (4 bytes, big
 * endian), the first part's payload, the rest's. The digest covers both; the rest is decoded when asked for.
 */
const SPLIT_PAYLOAD = 0x73; // s
const SPLIT_HEADER_BYTES = 5;

function encodePayload(entry: { key: string; value: unknown }): Buffer {
  let json: string | undefined;
  try {
    json = JSON.stringify(entry);
  } catch {
    // A cycle or a BigInt: V8's serialization holds both.
  }
  if (json !== undefined && plainJsonValues(entry.value, false)) {
    const bytes = Buffer.from(` ${json}`, "utf8");
    bytes[0] = JSON_PAYLOAD;
    return bytes;
  }
  return Buffer.concat([Buffer.of(V8_PAYLOAD), serialize(entry)]);
}

function encodeSplit(key: string, head: unknown, rest: unknown): Buffer {
  const first = encodePayload({ key, value: head });
  const header = Buffer.alloc(SPLIT_HEADER_BYTES);
  header[0] = SPLIT_PAYLOAD;
  header.writeUInt32BE(first.length, 1);
  return Buffer.concat([header, first, encodePayload({ key, value: rest })]);
}

function decodePayload(payload: Buffer): unknown {
  const body = payload.subarray(1);
  if (payload[0] === JSON_PAYLOAD) return JSON.parse(body.toString("utf8"));
  if (payload[0] === V8_PAYLOAD) return deserialize(body);
  throw new Error("unknown payload encoding");
}

/** One part of a cache key: text, bytes, or a value hashed through its JSON. */
export type KeyPart = string | Uint8Array | number | boolean | undefined | null | object;

/**
 * SHA-256 (hex) of `parts`, each framed by its type and length, so `("ab", "c")` and `("a", "bc")`
 * never share a key.
 */
export function cacheKey(...parts: KeyPart[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    const bytes =
      part instanceof Uint8Array
        ? part
        : Buffer.from(typeof part === "string" ? part : part === undefined ? "\u0000undefined" : JSON.stringify(part), "utf8");
    const tag = part instanceof Uint8Array ? "b" : typeof part === "string" ? "s" : "j";
    hash.update(`${tag}${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest("hex");
}

/**
 * The default cache folder: `$XDG_CACHE_HOME/erlmcp-audit/results`, else `~/Library/Caches` on macOS,
 * `%LOCALAPPDATA%` on Windows, `~/.cache` elsewhere.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const base =
    env.XDG_CACHE_HOME ||
    (platform === "darwin"
      ? join(homedir(), "Library", "Caches")
      : platform === "win32"
        ? (env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"))
        : join(homedir(), ".cache"));
  return join(base, "erlmcp-audit", "results");
}

/** A value stored by `putSplit`: its first part, read with the entry, and the rest, decoded on the first call. */
export interface SplitEntry<H, R> {
  head: H;
  rest: () => R;
}

/** Counts of one run's cache use, per namespace (`parse`, `unit`, `render`). */
export type CacheStats = Record<string, { hits: number; misses: number }>;

/** A content-addressed result store; see `openCache`. */
export interface ResultCache {
  readonly dir: string;
  /** The value stored under `key` in `namespace`, or undefined (absent, or corrupt: then a warning, and the entry is removed). */
  get<T>(namespace: string, key: string): T | undefined;
  /**
   * Stores `value` (anything `v8.serialize` takes, serialized now) under `key`; the file is written in the
   * background. A failed write is a warning, never an error.
   */
  put(namespace: string, key: string, value: unknown): void;
  /**
   * Stores `head` and `rest` as one entry whose `rest` is decoded only when asked for (`getSplit`): a value
   * whose bulk many runs never read. Both parts are checked against the entry's digest when it is read.
   */
  putSplit(namespace: string, key: string, head: unknown, rest: unknown): void;
  /** What `putSplit` stored under `key`, or undefined like `get`. */
  getSplit<H, R>(namespace: string, key: string): SplitEntry<H, R> | undefined;
  /** Resolves when every entry put so far is written (or has failed, with its warning). */
  flush(): Promise<void>;
  /** Hits and misses so far. */
  stats(): CacheStats;
}

/**
 * Why the cache in `dir` could be written by another user, or undefined when it cannot. An entry checks
 * out against its key and digest whoever wrote it, so anyone who can write the folder could plant a
 * passing result for inputs they know: the folder (when it exists) must be this user's, and neither it nor
 * a folder above it writable by others (src/tools/private-path.ts).
 */
export function cacheFolderProblem(dir: string, uid: number | undefined = process.getuid?.()): string | undefined {
  return privatePathProblem(dir, { uid, ownedBySelf: true, folder: true });
}

/**
 * A store in `dir` (created on the first write, private to this user); `onWarning` hears of corrupt or
 * untrusted entries, failed writes, and a folder other users could write to (the cache is then not used).
 */
export function openCache(dir: string, onWarning: (message: string) => void = () => {}): ResultCache {
  const counts: CacheStats = {};
  const uid = process.getuid?.();
  let writeFailed = false;
  let usable: boolean | undefined;
  const trusted = () => {
    if (usable === undefined) {
      const problem = cacheFolderProblem(dir, uid);
      usable = problem === undefined;
      if (problem)
        onWarning(
          `the cache in ${dir} is not used: ${problem}${/not a folder$/.test(problem) ? "" : " (another user could plant results there)"}`,
        );
    }
    return usable;
  };
  const pathOf = (namespace: string, key: string) => {
    if (!/^[a-z-]+$/.test(namespace) || !/^[0-9a-f]{64}$/.test(key)) throw new Error(`invalid cache address ${namespace}/${key}`);
    return join(dir, namespace, key.slice(0, 2), `${key}.bin`);
  };
  const count = (namespace: string, hit: boolean) => {
    const c = (counts[namespace] ??= { hits: 0, misses: 0 });
    if (hit) c.hits++;
    else c.misses++;
  };
  const read = <V>(namespace: string, key: string, decodeEntry: (data: Buffer, key: string) => V | typeof CORRUPT): V | undefined => {
    const path = pathOf(namespace, key);
    if (!trusted()) {
      count(namespace, false);
      return undefined;
    }
    let data: Buffer;
    let problem: string | undefined;
    try {
      const fd = openSync(path, "r");
      try {
        problem = uid === undefined ? undefined : statsProblem(path, fstatSync(fd), uid, true);
        data = problem ? Buffer.alloc(0) : readFileSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      count(namespace, false);
      return undefined;
    }
    if (problem) {
      onWarning(`cache entry ${problem}: not trusted, ignored and removed`);
      removeQuietly(path);
      count(namespace, false);
      return undefined;
    }
    const value = decodeEntry(data, key);
    if (value === CORRUPT) {
      onWarning(`cache entry ${path} is corrupt: ignored and removed`);
      removeQuietly(path);
      count(namespace, false);
      return undefined;
    }
    count(namespace, true);
    return value;
  };
  const get = <T>(namespace: string, key: string): T | undefined => read(namespace, key, decode)?.value as T | undefined;
  const getSplit = <H, R>(namespace: string, key: string) => read(namespace, key, decodeSplit) as SplitEntry<H, R> | undefined;
  const pending = new Set<Promise<void>>();
  const folders = new Map<string, Promise<unknown>>();
  const failed = (error: unknown) => {
    if (writeFailed) return;
    writeFailed = true;
    onWarning(`cannot write the cache in ${dir} (${(error as Error).message}): results are not cached`);
  };
  const put = (namespace: string, key: string, value: unknown) => write(namespace, key, () => encodePayload({ key, value }));
  const putSplit = (namespace: string, key: string, head: unknown, rest: unknown) =>
    write(namespace, key, () => encodeSplit(key, head, rest));
  const write = (namespace: string, key: string, encode: () => Buffer) => {
    if (writeFailed || !trusted()) return;
    const path = pathOf(namespace, key);
    let data: Buffer;
    try {
      const payload = encode();
      data = Buffer.concat([MAGIC, createHash("sha256").update(payload).digest(), payload]);
    } catch (error) {
      failed(error);
      return;
    }
    const folder = join(dir, namespace, key.slice(0, 2));
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    const writing = (async () => {
      let made = folders.get(folder);
      if (!made) folders.set(folder, (made = mkdir(folder, { recursive: true, mode: 0o700 })));
      await made;
      await writeFile(temporary, data, { mode: 0o600 });
      await rename(temporary, path);
    })().catch(async (error: unknown) => {
      await rm(temporary, { force: true }).catch(() => {});
      failed(error);
    });
    pending.add(writing);
    void writing.finally(() => pending.delete(writing));
  };
  const flush = async () => {
    while (pending.size) await Promise.all([...pending]);
  };
  return { dir, get, put, getSplit, putSplit, flush, stats: () => structuredClone(counts) };
}

const CORRUPT = Symbol("corrupt");

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing to remove, or no right to: the entry is ignored either way.
  }
}

/** The payload of an entry whose magic and digest check out, else CORRUPT. */
function checkedPayload(data: Buffer): Buffer | typeof CORRUPT {
  if (data.length < MAGIC.length + DIGEST_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) return CORRUPT;
  const digest = data.subarray(MAGIC.length, MAGIC.length + DIGEST_BYTES);
  const payload = data.subarray(MAGIC.length + DIGEST_BYTES);
  return createHash("sha256").update(payload).digest().equals(digest) ? payload : CORRUPT;
}

/** The value of an encoded `{key, value}` stored under `key`, else CORRUPT. */
function decodeKeyed(payload: Buffer, key: string): { value: unknown } | typeof CORRUPT {
  try {
    const entry = decodePayload(payload) as { key?: unknown; value?: unknown } | null;
    return entry && entry.key === key ? { value: entry.value } : CORRUPT;
  } catch {
    return CORRUPT;
  }
}

function decode(data: Buffer, key: string): { value: unknown } | typeof CORRUPT {
  const payload = checkedPayload(data);
  return payload === CORRUPT ? CORRUPT : decodeKeyed(payload, key);
}

function decodeSplit(data: Buffer, key: string): SplitEntry<unknown, unknown> | typeof CORRUPT {
  const payload = checkedPayload(data);
  if (payload === CORRUPT || payload.length < SPLIT_HEADER_BYTES || payload[0] !== SPLIT_PAYLOAD) return CORRUPT;
  const headBytes = payload.readUInt32BE(1);
  if (SPLIT_HEADER_BYTES + headBytes > payload.length) return CORRUPT;
  const head = decodeKeyed(payload.subarray(SPLIT_HEADER_BYTES, SPLIT_HEADER_BYTES + headBytes), key);
  if (head === CORRUPT) return CORRUPT;
  let restBytes: Buffer | undefined = payload.subarray(SPLIT_HEADER_BYTES + headBytes);
  let rest: unknown;
  return {
    head: head.value,
    rest: () => {
      if (restBytes) {
        // The digest covered these bytes, written by encodeSplit: only a bug could make them unreadable.
        const decoded = decodeKeyed(restBytes, key);
        if (decoded === CORRUPT) throw new Error(`cache entry ${key}: its second part does not decode`);
        rest = decoded.value;
        restBytes = undefined;
      }
      return rest;
    },
  };
}
