import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCache } from "../../src/cache/store.js";
import { parsedOrigin, parseThroughCache } from "../../src/loaders/parse-cached.js";
import { tempTree } from "../helpers/tmp.js";

const STREAM = `apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: ns, labels: {team: x}}
data: {k: v}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: ns}
spec: {ports: [{port: 80}]}
---
kind: [not, a, kind]
`;

/** The stream parsed and stored, then read back from a cache opened afresh (as the next run does). */
async function storedAndRead() {
  const dir = join(tempTree({}), "cache");
  const writer = openCache(dir);
  const parsed = await parseThroughCache(Buffer.from(STREAM), { file: "in.yaml" }, writer);
  await writer.flush();
  const fail = () => Promise.reject(new Error("parsed again instead of read from the cache"));
  const cached = await parseThroughCache(Buffer.from(STREAM), { file: "in.yaml" }, openCache(dir), fail);
  return { parsed, cached };
}

describe("parse entries (--cache)", () => {
  it("give back the stream's resources and errors as parsed, objects included, their keys in the same order", async () => {
    const { parsed, cached } = await storedAndRead();
    expect(parsed.resources).toHaveLength(2);
    expect(parsed.errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(cached)).toBe(JSON.stringify(parsed));
    expect(cached.resources.map((r) => Object.keys(r))).toEqual(parsed.resources.map((r) => Object.keys(r)));
    expect(cached.resources.map((r) => r.object)).toEqual(parsed.resources.map((r) => r.object));
    expect(structuredClone(cached.resources)).toEqual(parsed.resources);
    expect(cached.resources.map(parsedOrigin)).toEqual(parsed.resources.map(parsedOrigin));
  });

  it("keep an object set on a resource before the stream's objects were read", async () => {
    const { cached } = await storedAndRead();
    const [first, second] = cached.resources;
    const replacement = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "replaced" } };
    first!.object = replacement;
    expect(second!.object.kind).toBe("Service");
    expect(first!.object).toBe(replacement);
  });
});
