/**
 * Quoted scalars on one line, and quoted mapping keys, for both block-YAML readers: where they close,
 * what they decode to (`''` in single quotes, `\` escapes in double quotes, as `yaml` decodes them) and
 * where a key's `:` is. An escape `yaml` refuses, or one it may read otherwise, is `unsure()`.
 */
import { quotedEnd, skipSpaces } from "./block-scan.js";
import { unsure } from "./unsure.js";

/**
 * Longest implicit key read: `yaml` refuses a key whose `:` is more than 1024 characters after its
 * start (KEY_OVER_1024_CHARS); the readers stay well below.
 */
export const MAX_IMPLICIT_KEY = 1000;

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};

/** The value of a double-quoted scalar's body (between its quotes, on one line): its escapes decoded. */
export function unescapeDoubleQuoted(body: string): string {
  let out = "";
  let chunk = 0;
  for (let i = body.indexOf("\\"); i >= 0; i = body.indexOf("\\", chunk)) {
    out += body.slice(chunk, i);
    const next = body[i + 1]!;
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
    } else if (next === "x" || next === "u" || next === "U") {
      const length = next === "x" ? 2 : next === "u" ? 4 : 8;
      const hex = body.substr(i + 2, length);
      if (hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) unsure();
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) unsure();
      out += String.fromCodePoint(code);
      i += 1 + length;
    } else unsure();
    chunk = i + 1;
  }
  return out + body.slice(chunk);
}

/**
 * The quoted scalar opened at `at` (a `"` or `'`) when it closes before `end` (the end of its line):
 * its decoded value and the offset just past its closing quote; undefined when it spans lines.
 */
export function quotedOnLine(text: string, at: number, end: number): { value: string; end: number } | undefined {
  const close = quotedEnd(text, at, end);
  if (close < 0) return undefined;
  const body = text.slice(at + 1, close - 1);
  return { value: text[at] === '"' ? unescapeDoubleQuoted(body) : body.replaceAll("''", "'"), end: close };
}

/** A quoted mapping key: its name (decoded) and the offset of its `:`. */
export interface QuotedKey {
  name: string;
  colon: number;
}

/**
 * The quoted key opened at `at` on a line ending at `end`, as `yaml` reads an implicit key: the quotes
 * close on the line, spaces may follow, then a `:` followed by a blank or the end of the line (a reader
 * that refuses tabs checks that character). Undefined when the text is no such key (`"a":1` and a key
 * over lines are errors for `yaml` in a block mapping); `unsure()` for a key too long or an escape `yaml` refuses.
 */
export function quotedKey(text: string, at: number, end: number): QuotedKey | undefined {
  const close = quotedEnd(text, at, end);
  if (close < 0) return undefined;
  const colon = skipSpaces(text, close, end);
  if (text.charCodeAt(colon) !== 58 /* : */ || colon >= end) return undefined;
  const after = text.charCodeAt(colon + 1);
  if (colon + 1 < end && after !== 32 && after !== 9) return undefined;
  if (colon - at > MAX_IMPLICIT_KEY) unsure();
  return { name: quotedOnLine(text, at, close)!.value, colon };
}
