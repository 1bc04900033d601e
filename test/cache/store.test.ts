import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { codeFingerprint } from "../../src/cache/fingerprint.js";
import { cacheKey, defaultCacheDir, openCache } from "../../src/cache/store.js";
import { tempTree } from "../helpers/tmp.js";

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));

describe("cache store", () => {
  it("gives back what was stored, with values JSON cannot hold", async () => {
    const dir = join(tempTree({}), "cache");
    const cache = openCache(dir);
    const key = cacheKey("k");
    const value = { when: new Date("2026-01-01T00:00:00Z"), set: new Set([1]), bytes: new Uint8Array([1, 2]) };
    cache.put("parse", key, value);
    await cache.flush();
    expect(openCache(dir).get("parse", key)).toEqual(value);
    expect(cache.get("parse", cacheKey("other"))).toBeUndefined();
    expect(filesUnder(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  // Stored as JSON when JSON gives them back equal; each of these JSON would change, so it must come back as it was put.
  it.each([
    ["plain JSON", { a: [1, "x", true, null, { b: 2.5 }] }, "j"],
    ["undefined in an array", { a: [undefined, 1] }, "v"],
    ["an undefined property", { a: undefined, b: 1 }, "v"],
    // eslint-disable-next-line no-sparse-arrays -- a hole is what this case is about
    ["a hole in an array", { a: [1, , 3] }, "v"],
    ["-0", { a: -0 }, "v"],
    ["NaN", { a: Number.NaN }, "v"],
    ["a BigInt", { a: 10n }, "v"],
    ["a Map", { a: new Map([["k", 1]]) }, "v"],
    [
      "a cycle",
      (() => {
        const a: Record<string, unknown> = {};
        a.self = a;
        return { a };
      })(),
      "v",
    ],
  ])("gives back %s as it was put", async (_name, value, encoding) => {
    const dir = join(tempTree({}), "cache");
    const cache = openCache(dir);
    const key = cacheKey("k");
    cache.put("unit", key, value);
    await cache.flush();
    const [file] = filesUnder(dir);
    expect(String.fromCharCode(readFileSync(file!)[21 + 32]!)).toBe(encoding);
    const back = openCache(dir).get<Record<string, unknown>>("unit", key);
    expect(back).toStrictEqual(value);
    expect(Object.keys(back!)).toEqual(Object.keys(value));
    if (Array.isArray(value.a)) expect(Object.keys(back!.a as unknown[])).toEqual(Object.keys(value.a));
  });

  it("writes in the background: put returns first, flush waits for the file, and the value put is the value at put", async () => {
    const dir = join(tempTree({}), "cache");
    const cache = openCache(dir);
    const key = cacheKey("k");
    const value = { findings: ["x"] };
    cache.put("unit", key, value);
    value.findings.push("changed after put");
    expect(openCache(dir).get("unit", key)).toBeUndefined();
    await cache.flush();
    expect(openCache(dir).get("unit", key)).toEqual({ findings: ["x"] });
  });

  it("frames key parts, so moving a boundary changes the key", () => {
    expect(cacheKey("ab", "c")).not.toBe(cacheKey("a", "bc"));
    expect(cacheKey(Buffer.from("a"))).not.toBe(cacheKey("a"));
    expect(cacheKey(undefined)).not.toBe(cacheKey(null));
    expect(cacheKey("a", 1)).toBe(cacheKey("a", 1));
  });

  it.each([
    ["a flipped payload byte", (b: Buffer) => (b.writeUInt8(b.readUInt8(b.length - 1) ^ 1, b.length - 1), b)],
    ["a truncated entry", (b: Buffer) => b.subarray(0, b.length - 5)],
    ["another format", (b: Buffer) => Buffer.concat([Buffer.from("X"), b.subarray(1)])],
    ["an empty file", () => Buffer.alloc(0)],
  ])("ignores %s with a warning, never trusts it, and removes it", async (_name, damage) => {
    const dir = join(tempTree({}), "cache");
    const key = cacheKey("k");
    const writer = openCache(dir);
    writer.put("unit", key, { findings: ["x"] });
    await writer.flush();
    const [file] = filesUnder(dir);
    writeFileSync(file!, damage(readFileSync(file!)));
    const warnings: string[] = [];
    const cache = openCache(dir, (m) => warnings.push(m));
    expect(cache.get("unit", key)).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/cache entry .* is corrupt: ignored/)]);
    expect(filesUnder(dir)).toEqual([]);
    expect(cache.stats()).toEqual({ unit: { hits: 0, misses: 1 } });
  });

  it("stores a value in two parts: the first read with the entry, the second decoded once, when asked for", async () => {
    const dir = join(tempTree({}), "cache");
    const writer = openCache(dir);
    const key = cacheKey("k");
    writer.putSplit("parse", key, { names: ["a"] }, [{ kind: "Pod", set: new Set([1]) }]);
    await writer.flush();
    const entry = openCache(dir).getSplit<{ names: string[] }, unknown[]>("parse", key);
    expect(entry?.head).toEqual({ names: ["a"] });
    const rest = entry!.rest();
    expect(rest).toEqual([{ kind: "Pod", set: new Set([1]) }]);
    expect(entry!.rest()).toBe(rest);
  });

  it.each([
    ["its second part", (b: Buffer) => b.length - 1],
    ["its first part", () => 21 + 32 + 5 + 2],
    ["the length of its first part", () => 21 + 32 + 4],
  ])("never trusts a two-part entry with a flipped byte in %s: caught when the entry is read", async (_name, at) => {
    const dir = join(tempTree({}), "cache");
    const key = cacheKey("k");
    const writer = openCache(dir);
    writer.putSplit("parse", key, { names: ["a"] }, [{ kind: "Pod" }]);
    await writer.flush();
    const [file] = filesUnder(dir);
    const data = readFileSync(file!);
    const offset = at(data);
    data.writeUInt8(data.readUInt8(offset) ^ 1, offset);
    writeFileSync(file!, data);
    const warnings: string[] = [];
    expect(openCache(dir, (m) => warnings.push(m)).getSplit("parse", key)).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/is corrupt: ignored/)]);
  });

  it("never reads a one-part entry as a two-part one, or the reverse", async () => {
    const dir = join(tempTree({}), "cache");
    const writer = openCache(dir);
    writer.put("parse", cacheKey("one"), [{ kind: "Pod" }]);
    writer.putSplit("parse", cacheKey("two"), [], [{ kind: "Pod" }]);
    await writer.flush();
    const warnings: string[] = [];
    const cache = openCache(dir, (m) => warnings.push(m));
    expect(cache.getSplit("parse", cacheKey("one"))).toBeUndefined();
    expect(cache.get("parse", cacheKey("two"))).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });

  it("does not trust an entry stored under another key (a renamed file)", async () => {
    const dir = join(tempTree({}), "cache");
    const writer = openCache(dir);
    writer.put("unit", cacheKey("a"), "value of a");
    await writer.flush();
    const [file] = filesUnder(dir);
    const b = cacheKey("b");
    const target = join(dir, "unit", b.slice(0, 2), `${b}.bin`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, readFileSync(file!));
    const warnings: string[] = [];
    expect(openCache(dir, (m) => warnings.push(m)).get("unit", b)).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it("warns once and goes on when it cannot use its folder", async () => {
    const root = tempTree({ "a-file": "not a folder" });
    const warnings: string[] = [];
    const cache = openCache(join(root, "a-file"), (m) => warnings.push(m));
    cache.put("parse", cacheKey("1"), 1);
    cache.put("parse", cacheKey("2"), 2);
    await cache.flush();
    cache.put("parse", cacheKey("3"), 3);
    await cache.flush();
    expect(warnings).toEqual([expect.stringMatching(/^the cache in .*a-file is not used: .*a-file is not a folder$/)]);
  });

  it("warns once and goes on when it cannot write", async () => {
    // A file where the `parse` folder must go: no user, root included, can create the entries.
    const dir = join(tempTree({}), "cache");
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, "parse"), "");
    const warnings: string[] = [];
    const cache = openCache(dir, (m) => warnings.push(m));
    cache.put("parse", cacheKey("1"), 1);
    cache.put("parse", cacheKey("2"), 2);
    await cache.flush();
    cache.put("parse", cacheKey("3"), 3);
    await cache.flush();
    expect(warnings).toEqual([expect.stringMatching(/cannot write the cache/)]);
  });

  it("lives under the user cache folder by default", () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/x" }, "linux")).toBe(join("/x", "erlmcp-audit", "results"));
    expect(defaultCacheDir({}, "linux")).toMatch(/\.cache[/\\]erlmcp-audit[/\\]results$/);
  });

  it("fingerprints the tool by its version and every file of its code and policies", () => {
    const root = tempTree({ "code/a.js": "1", "policies/p/control.yaml": "id: p" });
    const roots = [join(root, "code"), join(root, "policies")];
    const before = codeFingerprint("0.1.0", roots);
    expect(codeFingerprint("0.1.0", roots)).toBe(before);
    expect(codeFingerprint("0.1.1", roots)).not.toBe(before);
    writeFileSync(join(root, "policies/p/control.yaml"), "id: q");
    expect(codeFingerprint("0.1.0", roots)).not.toBe(before);
  });

  it("reads the schema bundles through their index: another bundled package version is another tool", () => {
    const root = tempTree({ "code/a.js": "1", "code/schemas/index.json": '{"versions":{"k":"1"}}', "code/schemas/k/Pod.js": "x" });
    const fingerprint = () => codeFingerprint("0.1.0", [join(root, "code")], [join(root, "code/schemas")]);
    const before = fingerprint();
    writeFileSync(join(root, "code/schemas/k/Pod.js"), "y");
    expect(fingerprint(), "a bundle's bytes are not read").toBe(before);
    writeFileSync(join(root, "code/schemas/index.json"), '{"versions":{"k":"2"}}');
    expect(fingerprint()).not.toBe(before);
    writeFileSync(join(root, "code/a.js"), "2");
    expect(fingerprint()).not.toBe(before);
  });
});
