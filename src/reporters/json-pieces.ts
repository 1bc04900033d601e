/**
 * `JSON.stringify(value, null, 2)` in pieces: a report of tens of megabytes is written as it is made
 * instead of held whole (with its UTF-8 copy) at the run's peak of memory.
 */

const STEP = "  ";
/** Objects this shallow are written member by member (the report, its network section, a unit's network model); deeper ones whole. */
const OBJECT_DEPTH = 3;
/** Elements of an array written by one JSON.stringify (findings, network flows): few calls, no piece large. */
const SLICE = 64;

/** An array or a plain object without toJSON: what JSON.stringify writes member by member, as this does. */
function descends(value: unknown): value is Record<string, unknown> | unknown[] {
  if (typeof value !== "object" || value === null || typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The pieces of JSON.stringify(value, null, 2), in order: joined, they are that text, byte for byte
 * (undefined, a function or a symbol as a member is left out, as an element is `null`; nothing at all for
 * such a value at the top). A toJSON method may be passed another key than JSON.stringify would pass it
 * (an index within a slice, or ""): no value of a report has one.
 */
export function jsonPieces(value: unknown): Generator<string> {
  return pieces(value, 0);
}

function* pieces(value: unknown, depth: number): Generator<string> {
  const pad = STEP.repeat(depth);
  if (!descends(value) || (!Array.isArray(value) && depth >= OBJECT_DEPTH)) {
    const text = JSON.stringify(value, null, STEP);
    if (text !== undefined) yield depth && text.includes("\n") ? text.replaceAll("\n", `\n${pad}`) : text;
    return;
  }
  const inner = pad + STEP;
  if (Array.isArray(value)) {
    if (!value.length) {
      yield "[]";
      return;
    }
    for (let from = 0; from < value.length; from += SLICE)
      yield `${from ? `,\n${inner}` : `[\n${inner}`}${elementsAt(value.slice(from, from + SLICE), depth)}`;
    yield `\n${pad}]`;
    return;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const member = pieces(value[key], depth + 1);
    const head = member.next();
    if (head.done) continue;
    yield `${first ? `{\n${inner}` : `,\n${inner}`}${JSON.stringify(key)}: ${head.value}`;
    first = false;
    yield* member;
  }
  yield first ? "{}" : `\n${pad}}`;
}

/**
 * The elements of a non-empty array at `depth` as JSON.stringify writes them there, separated by `,` and a
 * new line: the array is written nested in `depth` arrays of one element, so that each line comes out at
 * its indentation, and cut out of that text.
 */
function elementsAt(elements: unknown[], depth: number): string {
  let nested: unknown = elements;
  for (let i = 0; i < depth; i++) nested = [nested];
  const text = JSON.stringify(nested, null, STEP);
  // Opening: `[` and a new line per level down to the array's own, then its elements' indentation.
  const opening = Array.from({ length: depth + 1 }, (_, i) => `${STEP.repeat(i)}[\n`).join("").length + STEP.length * (depth + 1);
  // Closing: a new line and `]` per level, from the array's own up.
  const closing = Array.from({ length: depth + 1 }, (_, i) => `\n${STEP.repeat(i)}]`).join("").length;
  return text.slice(opening, text.length - closing);
}
