/**
 * CIDR logic (src/k8s/cidr.ts) against a bit-string reference: an address is its list of bits, a network
 * its first `prefix` bits, containment is "same family, shorter or equal prefix, same leading bits".
 */
import fc from "fast-check";
import { opaProbe } from "../helpers/opa-probe.js";
import { describe, expect, it } from "vitest";
import {
  cidrContains,
  cidrsIntersect,
  familiesCoveredByIpBlocks,
  ipBlockIsOpen,
  ipBlockIsWholeSpace,
  parseCidr,
  type ExceptRule,
} from "../../src/k8s/cidr.js";

/** Cases run by this file, reported by the last test. */
let cases = 0;
const RUNS = 3000;
const UNION_RUNS = 1000;

interface RefNet {
  family: 4 | 6;
  bits: string; // "0"/"1" per address bit
  prefix: number;
}

const chunk = (bits: string, size: number) => Array.from({ length: bits.length / size }, (_, i) => bits.slice(i * size, i * size + size));

/** Writes IPv4 as dotted decimal. */
function renderV4(bits: string): string {
  return chunk(bits, 8)
    .map((b) => String(parseInt(b, 2)))
    .join(".");
}

/** Writes IPv6 in one of the RFC 4291 forms: full, `::`-compressed (first longest zero run), or with an IPv4 tail. */
function renderV6(bits: string, style: number, upper: boolean): string {
  const groups = chunk(bits, 16).map((b) => parseInt(b, 2).toString(16));
  let text: string;
  if (style === 2) text = `${groups.slice(0, 6).join(":")}:${renderV4(bits.slice(96))}`;
  else if (style === 1) {
    let best = [-1, 0];
    for (let i = 0; i < 8; i++) {
      let j = i;
      while (j < 8 && groups[j] === "0") j++;
      if (j - i > best[1]!) best = [i, j - i];
    }
    text = best[1]! > 0 ? `${groups.slice(0, best[0]).join(":")}::${groups.slice(best[0]! + best[1]!).join(":")}` : groups.join(":");
  } else text = groups.join(":");
  return upper ? text.toUpperCase() : text;
}

/** Bits biased towards runs of zeros and shared prefixes, so `::` and containment both occur often. */
const bitString = (n: number) =>
  fc
    .array(fc.oneof(fc.constant("0".repeat(16)), fc.stringMatching(/^[01]{16}$/)), { minLength: n / 16, maxLength: n / 16 })
    .map((g) => g.join(""));

const refNet: fc.Arbitrary<RefNet> = fc.oneof(
  fc.record({ family: fc.constant(4 as const), bits: bitString(32), prefix: fc.integer({ min: 0, max: 32 }) }),
  fc.record({ family: fc.constant(6 as const), bits: bitString(128), prefix: fc.integer({ min: 0, max: 128 }) }),
);

const render = (n: RefNet, style: number, upper: boolean) =>
  `${n.family === 4 ? renderV4(n.bits) : renderV6(n.bits, style, upper)}/${n.prefix}`;
const written = fc
  .tuple(refNet, fc.integer({ min: 0, max: 2 }), fc.boolean())
  .map(([n, style, upper]) => ({ n, text: render(n, style, upper) }));

/** A second network derived from the first: same leading bits for a random length, random tail and prefix. */
const related = (a: RefNet) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: a.bits.length }),
      fc.stringMatching(new RegExp(`^[01]{${a.bits.length}}$`)),
      fc.integer({ min: 0, max: a.bits.length }),
    )
    .map(([keep, tail, prefix]): RefNet => ({ family: a.family, bits: a.bits.slice(0, keep) + tail.slice(keep), prefix }));

const refContains = (outer: RefNet, inner: RefNet) =>
  outer.family === inner.family && outer.prefix <= inner.prefix && outer.bits.slice(0, outer.prefix) === inner.bits.slice(0, outer.prefix);

const toBits = (value: bigint, width: number) => value.toString(2).padStart(width, "0");

// --- Unions of ipBlocks: reference ---
// Membership in a union of networks (each minus its holes) only changes at the first address of a
// network or right after its last one; so a family is covered exactly when address 0 and every such
// boundary address inside the family lies in some block and in none of that block's holes.

interface RefBlock {
  net: RefNet;
  text: string;
  holes: { n: RefNet; text: string }[];
}

/** The bit string after `bits` as a binary number, or null past the family's last address. */
function successor(bits: string): string | null {
  const last = bits.lastIndexOf("0");
  return last < 0 ? null : bits.slice(0, last) + "1" + "0".repeat(bits.length - last - 1);
}

const netStart = (n: RefNet) => n.bits.slice(0, n.prefix).padEnd(n.bits.length, "0");
const netAfter = (n: RefNet) => (n.prefix === 0 ? null : successor(n.bits.slice(0, n.prefix)))?.padEnd(n.bits.length, "0") ?? null;
const holds = (n: RefNet, address: string) => address.startsWith(n.bits.slice(0, n.prefix));

function refCoveredFamilies(blocks: readonly RefBlock[], rule: ExceptRule): number[] {
  return ([4, 6] as const).filter((family) => {
    const mine = blocks.filter((b) => b.net.family === family);
    const holesOf = (b: RefBlock) => (rule === "ignore" ? [] : b.holes.map((h) => h.n).filter((h) => refContains(b.net, h)));
    const nets = mine.flatMap((b) => [b.net, ...holesOf(b)]);
    const points = ["0".repeat(family === 4 ? 32 : 128), ...nets.map(netStart), ...nets.map(netAfter)].filter(
      (p): p is string => p !== null,
    );
    return points.every((p) => mine.some((b) => holds(b.net, p) && !holesOf(b).some((h) => holds(h, p))));
  });
}

/** A random partition of a family into prefixes (bit strings), from a tape of random numbers. */
function partition(width: number, tape: readonly number[]): string[] {
  const leaves: string[] = [];
  const queue = [""];
  for (let t = 0; queue.length > 0; t++) {
    const s = queue.shift()!;
    const split = s === "" || tape[t % tape.length]! < 55;
    if (split && s.length < width && queue.length + leaves.length < 20) queue.push(s + "0", s + "1");
    else leaves.push(s);
  }
  return leaves;
}

/** Edits that keep or break the cover: drop a leaf, duplicate it, add a super- or subnet, split it deep (a /1 ... /k chain). */
type Edit = { op: "drop" | "dup" | "super" | "sub" | "deep"; at: number; depth: number };
const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom("drop", "dup", "super", "sub", "deep"),
  at: fc.nat(),
  depth: fc.nat({ max: 127 }),
});

function applyEdits(leaves: string[], edits: readonly Edit[], width: number): string[] {
  const out = [...leaves];
  for (const { op, at, depth } of edits) {
    if (out.length === 0) break;
    const i = at % out.length;
    const s = out[i]!;
    if (op === "drop") out.splice(i, 1);
    else if (op === "dup") out.push(s);
    else if (op === "super") out.push(s.slice(0, depth % (s.length + 1)));
    else if (op === "sub" && s.length < width) out.push(s + "1".repeat(1 + (depth % (width - s.length))));
    else if (op === "deep" && s.length < width) {
      const k = 1 + (depth % (width - s.length));
      out.splice(i, 1, ...Array.from({ length: k }, (_, j) => s + "0".repeat(j) + "1"), s + "0".repeat(k));
    }
  }
  return out;
}

/** One family's blocks: a partition, edited, each written with random host bits and up to two excepts inside or near it. */
const familyBlocks = (family: 4 | 6) => {
  const width = family === 4 ? 32 : 128;
  return fc
    .tuple(
      fc.array(fc.nat({ max: 99 }), { minLength: 1, maxLength: 40 }),
      fc.array(edit, { maxLength: 3 }),
      fc.infiniteStream(fc.tuple(bitString(width), fc.nat({ max: 2 }), fc.boolean(), fc.nat({ max: 2 }), fc.nat({ max: width }))),
    )
    .map(([tape, edits, noise]) => {
      const it = noise[Symbol.iterator]();
      return applyEdits(partition(width, tape), edits, width).map((prefix): RefBlock => {
        const [tail, style, upper, holeCount, holeLength] = it.next().value!;
        const net: RefNet = { family, bits: prefix + tail.slice(prefix.length), prefix: prefix.length };
        const holes = Array.from({ length: holeCount === 2 ? 1 : 0 }, () => {
          const [holeTail, holeStyle] = it.next().value!;
          const n: RefNet = { family, bits: prefix + holeTail.slice(prefix.length), prefix: Math.max(prefix.length, holeLength) };
          return { n, text: render(n, holeStyle, false) };
        });
        return { net, text: render(net, style, upper), holes };
      });
    });
};

/** A NetworkPolicy's ipBlocks: one family, the other, or both interleaved. */
const unionCase = fc
  .tuple(familyBlocks(4), familyBlocks(6), fc.nat({ max: 2 }))
  .map(([v4, v6, mix]) => ({ blocks: mix === 0 ? v4 : mix === 1 ? v6 : v4.flatMap((b, i) => (v6[i] ? [b, v6[i]!] : [b])) }));

const textBlocks = (blocks: readonly RefBlock[]) => blocks.map((b) => ({ cidr: b.text, except: b.holes.map((h) => h.text) }));

describe("CIDR parsing and containment (property)", () => {
  it("parses every written form to the masked network of the reference", () => {
    fc.assert(
      fc.property(written, ({ n, text }) => {
        cases++;
        const c = parseCidr(text);
        expect(c, text).not.toBeNull();
        expect(c!.family).toBe(n.family);
        expect(c!.prefix).toBe(n.prefix);
        expect(toBits(c!.network, n.bits.length)).toBe(n.bits.slice(0, n.prefix).padEnd(n.bits.length, "0"));
        expect(ipBlockIsWholeSpace(text)).toBe(n.prefix === 0);
      }),
      { numRuns: RUNS },
    );
  });

  it("containment and overlap equal the bit-prefix reference (random and related pairs, both families)", () => {
    const pair = fc.oneof(
      fc.tuple(refNet, refNet),
      refNet.chain((a) => fc.tuple(fc.constant(a), related(a))),
    );
    fc.assert(
      fc.property(pair, fc.integer({ min: 0, max: 2 }), ([a, b], style) => {
        cases++;
        const ca = parseCidr(render(a, style, false))!;
        const cb = parseCidr(render(b, style, true))!;
        expect(cidrContains(ca, cb)).toBe(refContains(a, b));
        expect(cidrsIntersect(ca, cb)).toBe(refContains(a, b) || refContains(b, a));
      }),
      { numRuns: RUNS },
    );
  });

  it("an ipBlock is open exactly when it is a /0 and no except of its family lies inside it", () => {
    fc.assert(
      fc.property(written, fc.array(written, { maxLength: 3 }), ({ n, text }, holes) => {
        cases++;
        const open = n.prefix === 0 && !holes.some((h) => refContains(n, h.n));
        expect(
          ipBlockIsOpen(
            text,
            holes.map((h) => h.text),
          ),
        ).toBe(open);
      }),
      { numRuns: RUNS },
    );
  });

  it("rejects addresses and prefixes outside the family's range", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 256, max: 999 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 129, max: 999 }),
        (octet, at, prefix) => {
          cases++;
          const parts = ["10", "0", "0", "0"];
          parts[at] = String(octet);
          expect(parseCidr(`${parts.join(".")}/8`)).toBeNull();
          expect(parseCidr(`10.0.0.0/${prefix}`)).toBeNull();
          expect(parseCidr(`::/${prefix}`)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
    for (const bad of ["10.0.0.0", "10.0.0/8", "1:2:3:4:5:6:7:8:9/64", "1::2::3/64", "::g/64", "10.0.0.0/-1", "", "/0"])
      expect(parseCidr(bad), bad).toBeNull();
  });

  it("reads what the API server accepts with a warning as it does: leading zeros decimal, IPv4-mapped /96+ as IPv4", () => {
    // kube-apiserver 1.34 accepts these, warning "use 0.0.0.0/0" for 00.0.0.0/0 and ::ffff:0:0/96.
    const read = (text: string) => {
      const c = parseCidr(text);
      return c && { family: c.family, prefix: c.prefix, network: c.network };
    };
    expect(read("00.0.0.0/0")).toEqual({ family: 4, prefix: 0, network: 0n });
    expect(read("010.0.0.0/8")).toEqual({ family: 4, prefix: 8, network: 10n << 24n });
    expect(read("::ffff:0:0/96")).toEqual({ family: 4, prefix: 0, network: 0n });
    expect(read("0:0:0:0:0:FFFF:8000:0/97")).toEqual({ family: 4, prefix: 1, network: 1n << 31n });
    expect(read("::ffff:0:0/95")?.family).toBe(6);
    expect(ipBlockIsOpen("::ffff:0:0/96", [])).toBe(true);
    expect(ipBlockIsOpen("::ffff:0:0/96", ["10.0.0.0/8"])).toBe(false);
  });

  it("policies/lib/net.rego agrees with the TypeScript CIDR logic on random ipBlocks (one opa eval)", () => {
    const samples = fc.sample(fc.tuple(written, fc.array(written, { maxLength: 2 })), { numRuns: 1000, seed: 13 });
    const blocks = samples.map(([{ text }, holes]) => ({ cidr: text, except: holes.map((h) => h.text) }));
    cases += blocks.length;
    const rego = opaProbe<[boolean, boolean][]>(
      [
        "package probe",
        "import data.lib.net",
        "results := [[w, o] | some b in input.blocks; w := is_whole(b); o := is_open(b)]",
        "is_whole(b) if net.whole_space(b.cidr)",
        "else := false",
        "is_open(b) if net.open_ip_block(b)",
        "else := false",
      ],
      { blocks },
    );
    expect(rego).toEqual(blocks.map((b) => [ipBlockIsWholeSpace(b.cidr), ipBlockIsOpen(b.cidr, b.except)]));
    expect(rego.some(([w]) => w)).toBe(true);
    expect(rego.some(([w, o]) => w && !o)).toBe(true);
  });

  it("a union of ipBlocks covers a family exactly when the boundary reference says so (TypeScript)", () => {
    fc.assert(
      fc.property(unionCase, ({ blocks }) => {
        cases++;
        for (const rule of ["ignore", "subtract"] as const)
          expect([...familiesCoveredByIpBlocks(textBlocks(blocks), rule)].sort(), rule).toEqual(refCoveredFamilies(blocks, rule));
      }),
      { numRuns: UNION_RUNS },
    );
  });

  it("policies/lib/net.rego computes the same unions as the reference (one opa eval)", () => {
    const samples = fc.sample(unionCase, { numRuns: 500, seed: 13 });
    cases += samples.length;
    const rego = opaProbe<[number[], number[]][]>(
      [
        "package probe",
        "import data.lib.net",
        "results := [[sort(net.families_covered([b.cidr | some b in s])), sort(net.families_covered_minus_excepts(s))] | some s in input.sets]",
      ],
      { sets: samples.map(({ blocks }) => textBlocks(blocks)) },
    );
    const expected = samples.map(({ blocks }): [number[], number[]] => [
      refCoveredFamilies(blocks, "ignore"),
      refCoveredFamilies(blocks, "subtract"),
    ]);
    expect(rego).toEqual(expected);
    // The samples hold covering and non-covering sets of both families, with and without excepts.
    for (const family of [4, 6]) {
      expect(expected.some(([ignore]) => ignore.includes(family))).toBe(true);
      expect(expected.some(([ignore, subtract]) => ignore.includes(family) && !subtract.includes(family))).toBe(true);
    }
    expect(expected.some(([ignore]) => ignore.length === 0)).toBe(true);
  });

  it("reports how many cases ran", () => {
    console.log(`cidr properties: ${cases} cases`);
    expect(cases).toBeGreaterThanOrEqual(3 * RUNS + UNION_RUNS + 2000);
  });
});
