/**
 * Character-level scanning of block-style YAML lines, shared by the fast loader (src/loaders/fast-yaml)
 * and the block index that places findings (src/locate/block-yaml). Every function reads `text` between
 * offsets and never throws: a reader that finds an answer it cannot trust refuses on its own terms.
 * `end` is the offset just past a line's last character (before its line break).
 */

/** Character codes the scanners compare against. */
export const SPACE = 32;
/** A tab: YAML forbids it in indentation, so every reader treats it with care. */
export const TAB = 9;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const BACKSLASH = 92;

/** Offset of the first character at or after `at` (before `end`) that is not a space. */
export function skipSpaces(text: string, at: number, end: number): number {
  while (at < end && text.charCodeAt(at) === SPACE) at++;
  return at;
}

/** Offset of the first character at or after `at` (before `end`) that is neither a space nor a tab. */
export function skipBlanks(text: string, at: number, end: number): number {
  for (let c = text.charCodeAt(at); at < end && (c === SPACE || c === TAB); c = text.charCodeAt(++at));
  return at;
}

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** Whether a `-` at `at` opens a block sequence item: it ends the line or a space or tab follows it. */
export function isItemDash(text: string, at: number, end: number): boolean {
  if (text.charCodeAt(at) !== DASH) return false;
  return at + 1 >= end || isBlank(text.charCodeAt(at + 1));
}

/**
 * Whether the rest of a line from `from` is empty or a comment: blanks (spaces, and tabs when `tabs`),
 * then nothing or a `#` that at least one blank precedes.
 */
export function restIsComment(text: string, from: number, end: number, tabs: boolean): boolean {
  const at = tabs ? skipBlanks(text, from, end) : skipSpaces(text, from, end);
  return at >= end || (text.charCodeAt(at) === HASH && at > from);
}

/** Where a comment starts after `at` on the line (a `#` right after a space or tab), else `end`. */
export function commentStart(text: string, at: number, end: number): number {
  for (let p = at + 1; p < end; p++) {
    if (text.charCodeAt(p) === HASH && isBlank(text.charCodeAt(p - 1))) return p;
  }
  return end;
}

/**
 * The document marker a line starts with: `---` or `...` followed by the end of the line, a space or
 * a tab; undefined for any other line (`---x` is a plain scalar).
 */
export function documentMarker(text: string, start: number, end: number): "---" | "..." | undefined {
  if (end - start < 3) return undefined;
  const head = text.startsWith("---", start) ? "---" : text.startsWith("...", start) ? "..." : undefined;
  if (!head || (end > start + 3 && !isBlank(text.charCodeAt(start + 3)))) return undefined;
  return head;
}

/** Characters that cannot start a plain implicit key (indicators and quotes). */
export const NOT_PLAIN_KEY_START = "[]{}&*!|>%@`'\",#?:";

/**
 * Where the `:` of a plain implicit key starting at `col` is: the first `:` followed by the end of the
 * line, a space or a tab (a reader that refuses tabs checks that character), before any comment; -1 when
 * the text is not such a key (it starts with an indicator or an item dash, or holds no such `:`).
 */
export function plainKeyColon(text: string, col: number, end: number): number {
  if (col >= end || NOT_PLAIN_KEY_START.includes(text[col]!) || isItemDash(text, col, end)) return -1;
  for (let i = col; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === COLON && (i + 1 === end || isBlank(text.charCodeAt(i + 1)))) return i;
    if (ch === HASH && i > col && isBlank(text.charCodeAt(i - 1))) return -1;
  }
  return -1;
}

/**
 * Offset just past the closing quote of the quoted scalar opened at `at` (`"` with `\` escapes, `'`
 * with `''`), searching up to `limit` (which may span lines); -1 when it does not close before it.
 */
export function quotedEnd(text: string, at: number, limit: number): number {
  const quote = text.charCodeAt(at);
  for (let p = at + 1; p < limit; p++) {
    const c = text.charCodeAt(p);
    if (quote === 34 /* " */ && c === BACKSLASH) {
      p++;
      continue;
    }
    if (c !== quote) continue;
    if (quote === 39 /* ' */ && text.charCodeAt(p + 1) === 39) {
      p++;
      continue;
    }
    return p + 1;
  }
  return -1;
}

/** The header of a `|` or `>` block scalar: its style, chomping and explicit indentation indicators. */
export interface BlockScalarHeader {
  folded: boolean;
  /** `-` strip, `+` keep, `` clip. */
  chomp: "" | "+" | "-";
  /** The explicit indentation indicator (1-9), 0 when absent. */
  explicit: number;
  /** Offset just past the indicators: the rest of the line must be empty or a comment. */
  next: number;
}

/** Reads the indicators (at most one chomping and one indentation, in any order) after the `|` or `>` at `at`. */
export function blockScalarHeader(text: string, at: number, end: number): BlockScalarHeader {
  let chomp: "" | "+" | "-" = "";
  let explicit = 0;
  let i = at + 1;
  for (; i < end && i < at + 3; i++) {
    const ch = text[i]!;
    if ((ch === "+" || ch === "-") && !chomp) chomp = ch;
    else if (ch >= "1" && ch <= "9" && !explicit) explicit = Number(ch);
    else break;
  }
  return { folded: text[at] === ">", chomp, explicit, next: i };
}

/** What a line holds: content (0), nothing but blanks (1), or only a comment (2). */
export type LineKind = 0 | 1 | 2;
/** A line with content. */
export const CONTENT_LINE = 0;
/** A line of blanks only. */
export const BLANK_LINE = 1;
/** A line holding only a comment. */
export const COMMENT_LINE = 2;

/**
 * What the line from `start` to `end` holds; its leading blanks are spaces, and tabs too when `tabs`
 * (a reader that refuses tabs in indentation reads a line of tabs as content).
 */
export function lineKind(text: string, start: number, end: number, tabs: boolean): LineKind {
  const at = tabs ? skipBlanks(text, start, end) : skipSpaces(text, start, end);
  if (at >= end) return BLANK_LINE;
  return text.charCodeAt(at) === HASH ? COMMENT_LINE : CONTENT_LINE;
}

/**
 * Whether the character at `at` may start a plain scalar: not an indicator that always means
 * something else (`% @ \` , ] } #`), nor `- ? :` followed by a blank or the end of the line. Anchors,
 * tags and aliases (`& ! *`) are left to the reader, which may or may not follow them.
 */
export function canStartPlain(text: string, at: number, end: number): boolean {
  const c = text[at]!;
  if ("%@`,]}#".includes(c)) return false;
  if (!"-?:".includes(c)) return true;
  return at + 1 < end && !isBlank(text.charCodeAt(at + 1));
}

/** Whether a plain scalar's text holds a `:` followed by a blank or its end, which would make it a mapping. */
export function holdsMappingColon(plain: string): boolean {
  return /:(?:[ \t]|$)/.test(plain);
}
