/**
 * CIDR logic (src/k8s/cidr.ts) against a bit-string reference: an address is its list of bits, a network
 * its first `prefix` bits, containment is "same family, shorter or equal prefix, same leading bits".
 */
import fc from "fast-check";
import { opaProbe } from "../helpers/opa-probe.js";
import { describe, expect, it } from "vitest";
import { cidrContains, cidrsIntersect, ipBlockIsOpen, ipBlockIsWholeSpace, parseCidr } from "../../src/k8s/cidr.js";

/** Cases run by this file, reported by the last test. */
let cases = 0;
const RUNS = 3000;

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
    for (const bad of ["10.0.0.0", "10.0.0/8", "1:2:3:4:5:6:7:8:9/64", "1::2::3/64", "::g/64", "010.0.0.0/8", "10.0.0.0/-1", "", "/0"])
      expect(parseCidr(bad), bad).toBeNull();
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

  it("reports how many cases ran", () => {
    console.log(`cidr properties: ${cases} cases`);
    expect(cases).toBeGreaterThanOrEqual(3 * RUNS + 1500);
  });
});
