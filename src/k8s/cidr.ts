/**
 * CIDR networks as numbers (IPv4 and IPv6), as the API server reads `ipBlock.cidr` and `except`
 * (k8s.io/utils/net ParseCIDRSloppy, which it accepts with a warning only): the address is masked to its
 * prefix, so `1.2.3.4/0` is the whole IPv4 space; an IPv4 octet with leading zeros is decimal (`00.0.0.0/0`
 * is `0.0.0.0/0`); an IPv4-mapped IPv6 network of prefix 96 or more is that IPv4 network (`::ffff:0:0/96`
 * is `0.0.0.0/0`, as the API server's warning says). Containment and overlap compare the numbers, never the text.
 */

/** A parsed network: its family, the masked network address as a number and its prefix length. */
export interface Cidr {
  family: 4 | 6;
  /** Address width in bits: 32 or 128. */
  bits: 32 | 128;
  /** Network address with the host bits cleared. */
  network: bigint;
  prefix: number;
}

/** An IPv4 octet: decimal digits, leading zeros allowed (read as decimal, not octal), at most 255. */
const DECIMAL = /^[0-9]+$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!DECIMAL.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** The 16-bit groups of one side of `::` (an embedded IPv4 address counts as two groups). */
function hextets(text: string, allowIpv4Tail: boolean): bigint[] | null {
  if (text === "") return [];
  const parts = text.split(":");
  const out: bigint[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (allowIpv4Tail && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      out.push(v4 >> 16n, v4 & 0xffffn);
    } else if (HEXTET.test(part)) out.push(BigInt(parseInt(part, 16)));
    else return null;
  }
  return out;
}

function parseIpv6(text: string): bigint | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = hextets(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? hextets(halves[1]!, true) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an IP address (dotted IPv4, or IPv6 with `::` and an optional IPv4 tail); null if invalid. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | null {
  if (text.includes(":")) {
    const value = parseIpv6(text);
    return value === null ? null : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === null ? null : { family: 4, value };
}

/** Parses `address/prefix` into its network (host bits cleared); null when it is not a valid CIDR. */
export function parseCidr(text: unknown): Cidr | null {
  if (typeof text !== "string") return null;
  const slash = text.indexOf("/");
  if (slash < 0) return null;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(prefixText)) return null;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > bits) return null;
  if (ip.family === 6 && prefix >= 96 && ip.value >> 32n === 0xffffn)
    return { family: 4, bits: 32, network: ip.value & 0xffffffffn & netmask(32, prefix - 96), prefix: prefix - 96 };
  return { family: ip.family, bits, network: ip.value & netmask(bits, prefix), prefix };
}

function netmask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

/** Whether `cidr` is the whole address space of its family (any `/0`). */
export function isWholeSpace(cidr: Cidr): boolean {
  return cidr.prefix === 0;
}

/** Whether every address of `inner` lies in `outer` (same family only). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family && outer.prefix <= inner.prefix && (inner.network & netmask(outer.bits, outer.prefix)) === outer.network
  );
}

/** Whether `a` and `b` share at least one address (for networks: one contains the other). */
export function cidrsIntersect(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** Whether the IP block `cidr` minus `except` still covers its whole family: a `/0` with no valid `except` inside it. */
export function ipBlockIsOpen(cidr: unknown, except: unknown): boolean {
  const block = parseCidr(cidr);
  if (!block || !isWholeSpace(block)) return false;
  const holes = Array.isArray(except) ? except.map(parseCidr) : [];
  return !holes.some((hole) => hole !== null && cidrContains(block, hole));
}

/** Whether the IP block `cidr` is a `/0` (whole address space), whatever its `except`. */
export function ipBlockIsWholeSpace(cidr: unknown): boolean {
  const block = parseCidr(cidr);
  return block !== null && isWholeSpace(block);
}

/** An ipBlock as written in a manifest: `cidr` and `except` are read, anything else is ignored. */
export interface IpBlockText {
  cidr: unknown;
  except?: unknown;
}

/**
 * How a union of ipBlocks reads `except`, each matching the single-`/0` rule of its control:
 * `ignore` (ingress: any `/0` admits the internet, a carved-out private range does not close it),
 * `subtract` (egress: each block contributes its network minus the valid `except` networks inside it).
 */
export type ExceptRule = "ignore" | "subtract";

/** A half-open address interval [start, end) of one family. */
type Interval = readonly [bigint, bigint];

const byStart = (a: Interval, b: Interval) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

const span = (c: Cidr): Interval => [c.network, c.network + (1n << BigInt(c.bits - c.prefix))];

/** The intervals of `block` left after removing `holes` (networks inside the block). */
function subtractHoles(block: Cidr, holes: readonly Cidr[]): Interval[] {
  const cuts = holes
    .filter((h) => cidrContains(block, h))
    .map(span)
    .sort(byStart);
  const out: Interval[] = [];
  const [blockStart, end] = span(block);
  let from = blockStart;
  for (const [start, stop] of cuts) {
    if (start > from) out.push([from, start]);
    if (stop > from) from = stop;
  }
  if (from < end) out.push([from, end]);
  return out;
}

/** Whether the intervals, sorted and merged, reach from 0 to `2^bits` without a gap. */
function coverAll(intervals: Interval[], bits: number): boolean {
  const sorted = [...intervals].sort(byStart);
  let reached = 0n;
  for (const [start, end] of sorted) {
    if (start > reached) return false;
    if (end > reached) reached = end;
  }
  return reached === 1n << BigInt(bits);
}

/**
 * The families (4, 6) whose whole address space the union of the blocks' valid `cidr`s covers, computed
 * exactly on bigint intervals (sorted and merged); `excepts` says whether `except` networks are removed first.
 */
export function familiesCoveredByIpBlocks(blocks: readonly IpBlockText[], excepts: ExceptRule): Set<4 | 6> {
  const parts: Record<4 | 6, Interval[]> = { 4: [], 6: [] };
  for (const block of blocks) {
    const net = parseCidr(block.cidr);
    if (!net) continue;
    const holes =
      excepts === "subtract" && Array.isArray(block.except) ? block.except.map(parseCidr).filter((h): h is Cidr => h !== null) : [];
    parts[net.family].push(...subtractHoles(net, holes));
  }
  return new Set(([4, 6] as const).filter((family) => coverAll(parts[family], family === 4 ? 32 : 128)));
}

/** The family of a valid CIDR text (4 or 6), or null. */
export function cidrFamily(text: unknown): 4 | 6 | null {
  return parseCidr(text)?.family ?? null;
}
