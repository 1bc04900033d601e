/**
 * Where lines end, for both block-YAML readers, exactly as `yaml` 2.x counts them: only `\n` ends a
 * line, and a `\r` right before it belongs to the break (CRLF). `yaml` reads a lone `\r`, NEL (U+0085)
 * and the Unicode separators (U+2028, U+2029) as characters inside a line (its LineCounter counts `\n`
 * only), although YAML 1.1 calls them breaks: a text holding one is left to `yaml` (see `breaksAreCertain`).
 */

/** The lines of a text: offsets of each line's first character, and just past its last one (before `\r\n` or `\n`). */
export interface LineTable {
  starts: number[];
  ends: number[];
}

const LF = 10;
const CR = 13;

/** Whether every line break of `text` is a `\n` or `\r\n`: no lone `\r`, NEL or Unicode line or paragraph separator. */
export function breaksAreCertain(text: string): boolean {
  return !/\r(?!\n)|[\x85\u2028\u2029]/.test(text);
}

/**
 * The lines of `text` cut at every `\n` (as many as `text.split("\n")` gives: a text ending in a break has an
 * empty last line), each without its `\r\n` or `\n`.
 */
export function lineTable(text: string): LineTable {
  const starts: number[] = [];
  const ends: number[] = [];
  let start = 0;
  for (;;) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    starts.push(start);
    ends.push(newline !== -1 && end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end);
    if (newline === -1) return { starts, ends };
    start = newline + 1;
  }
}

/** The text of each line of `lineTable(text)`, without its break. */
export function lineTexts(text: string, table: LineTable = lineTable(text)): string[] {
  return table.starts.map((start, i) => text.slice(start, table.ends[i]));
}

/** Whether `text` ends with a line break (its last line of `lineTable` is then empty and holds nothing). */
export function endsWithBreak(text: string): boolean {
  return text.charCodeAt(text.length - 1) === LF;
}
