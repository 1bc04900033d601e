/**
 * Single-line flow collections (`[a, b]`, `{drop: [ALL]}`, `{"a":1}`) of the fast YAML path, read as
 * `yaml` reads them; anything else in flow style is `unsure()`.
 */
import { isReservedKey } from "../yaml/block-refusals.js";
import { resolvePlain } from "../yaml/plain-scalars.js";
import { unsure } from "../yaml/unsure.js";
import { keyName, quotedScalar } from "./fast-yaml-scalars.js";

/** Deepest nesting of flow collections in one another on one line. */
const MAX_FLOW_DEPTH = 16;

/** A scalar inside a single-line flow collection: quoted, or plain without `:`, `#` or flow indicators. */
function flowScalar(line: string, at: number): { value: unknown; end: number; key?: string } {
  const c = line[at];
  if (c === '"' || c === "'") {
    const quoted = quotedScalar(line, at);
    return { value: quoted.value, end: quoted.end, key: quoted.value };
  }
  if (c === undefined || "[]{}&*!|>%@`'\",#?:,".includes(c) || (c === "-" && " ,[]{}".includes(line[at + 1] ?? " "))) unsure();
  let i = at;
  for (; i < line.length; i++) {
    const ch = line[i]!;
    if (",[]{}".includes(ch)) break;
    if (ch === ":" && " ,[]{}".includes(line[i + 1] ?? " ")) break;
    if (ch === "#" && line[i - 1] === " ") unsure();
  }
  const source = line.slice(at, i).trimEnd();
  const value = resolvePlain(source);
  return { value, end: at + source.length, key: keyName(value) };
}

/**
 * A flow sequence or mapping of scalars and flow collections, opened at `at` and closed on the same
 * line (numbered `lineNumber`, which every item of its sequences gets in `itemLines`).
 */
export function flowCollection(
  line: string,
  at: number,
  lineNumber: number,
  itemLines: WeakMap<unknown[], number[]>,
  depth = 1,
): { value: unknown; end: number } {
  if (depth > MAX_FLOW_DEPTH) unsure();
  const isMap = line[at] === "{";
  const close = isMap ? "}" : "]";
  const skip = (i: number) => {
    while (line[i] === " ") i++;
    return i;
  };
  let i = skip(at + 1);
  if (line[i] === close) {
    const empty = isMap ? {} : [];
    if (!isMap) itemLines.set(empty as unknown[], []);
    return { value: empty, end: i + 1 };
  }
  const flowValue = (start: number) =>
    line[start] === "[" || line[start] === "{" ? flowCollection(line, start, lineNumber, itemLines, depth + 1) : flowScalar(line, start);
  const map: Record<string, unknown> = {};
  const seq: unknown[] = [];
  for (;;) {
    const quotedKey = line[i] === '"' || line[i] === "'";
    const item: { value: unknown; end: number; key?: string } = isMap ? flowScalar(line, i) : flowValue(i);
    i = skip(item.end);
    if (isMap) {
      if (item.key === undefined || isReservedKey(item.key) || line[i] !== ":" || (!quotedKey && line[i + 1] !== " ")) unsure();
      if (Object.prototype.hasOwnProperty.call(map, item.key)) unsure();
      const value = flowValue(skip(i + 1));
      map[item.key] = value.value;
      i = skip(value.end);
    } else seq.push(item.value);
    if (line[i] === close) break;
    if (line[i] !== ",") unsure();
    i = skip(i + 1);
    if (line[i] === close || line[i] === ",") unsure();
  }
  if (!isMap)
    itemLines.set(
      seq,
      seq.map(() => lineNumber),
    );
  return { value: isMap ? map : seq, end: i + 1 };
}
