import { describe, expect, it } from "vitest";
import { packParts } from "../../src/engines/rego-wasm.js";

const utf8 = (part: Uint8Array | string) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part));

/** What packParts must hold: every part's UTF-8, one after the other, and where each starts. */
function expected(parts: ReadonlyArray<Uint8Array | string>) {
  const offsets = [0];
  for (const part of parts) offsets.push(offsets[offsets.length - 1]! + utf8(part).length);
  return { bytes: Buffer.concat(parts.map(utf8)), offsets };
}

function packed(parts: ReadonlyArray<Uint8Array | string>) {
  const allocations: number[] = [];
  const { bytes, offsets } = packParts(parts, (length) => {
    allocations.push(length);
    return new SharedArrayBuffer(length);
  });
  return { bytes: Buffer.from(bytes), offsets, allocations, buffer: bytes.buffer };
}

describe("packParts", () => {
  it("packs bytes and texts, ASCII or not, into one buffer with each part's offset", () => {
    const parts = [
      '{"kind":"ConfigMap"}',
      new TextEncoder().encode('{"a":"é"}'),
      '{"name":"naïve ☃ 𝄞"}',
      "",
      '{"emoji":"👩‍👩‍👧"}',
      new Uint8Array(0),
      "{}",
    ];
    const { bytes, offsets } = packed(parts);
    expect(offsets).toEqual(expected(parts).offsets);
    expect(bytes.equals(expected(parts).bytes)).toBe(true);
    parts.forEach((part, i) => expect(bytes.subarray(offsets[i], offsets[i + 1]).equals(utf8(part))).toBe(true));
  });

  it("sizes an ASCII input exactly, in one allocation", () => {
    const parts = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ metadata: { name: `cm-${i}` } }));
    const { allocations, buffer, bytes } = packed(parts);
    expect(allocations).toHaveLength(1);
    expect(buffer.byteLength).toBe(bytes.length);
  });

  it("grows geometrically when every text holds characters beyond ASCII (not once per text)", () => {
    const parts = Array.from({ length: 10_000 }, (_, i) => `{"name":"x-${i}","note":"ünïcödé ✓ 𝄞"}`);
    const { bytes, offsets, allocations, buffer } = packed(parts);
    expect(bytes.equals(expected(parts).bytes)).toBe(true);
    expect(offsets).toEqual(expected(parts).offsets);
    // 10,000 texts each longer in UTF-8 than in UTF-16 units: a handful of growths, and at most half again as large.
    expect(allocations.length).toBeLessThan(40);
    expect(buffer.byteLength).toBeLessThanOrEqual(Math.ceil(bytes.length * 1.5));
  });

  it("packs lone surrogates as U+FFFD, as TextEncoder.encode does", () => {
    const parts = ["a\ud800b", "\udc00", "ok"];
    const { bytes } = packed(parts);
    expect(bytes.equals(Buffer.concat(parts.map((p) => new TextEncoder().encode(p))))).toBe(true);
  });

  it("packs into an ArrayBuffer by default, exactly", () => {
    const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4])];
    const { bytes, offsets } = packParts(parts);
    expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...bytes]).toEqual([1, 2, 3, 4]);
    expect(offsets).toEqual([0, 3, 4]);
  });
});
