/**
 * The fast YAML path's view of one line (a string without its line break), over the shared scanners of
 * src/yaml/block-scan.ts. Indentation is spaces only: a line whose indentation holds a tab is content
 * here, and the parser refuses it.
 */
import { CONTENT_LINE, isItemDash, lineKind, restIsComment, skipSpaces } from "../yaml/block-scan.js";

/** Leading spaces of `line`. */
export function indentOf(line: string): number {
  return skipSpaces(line, 0, line.length);
}

/** Blank or comment-only. */
export function isEmptyLine(line: string): boolean {
  return lineKind(line, 0, line.length, false) !== CONTENT_LINE;
}

/** Whether a block sequence item's `-` is at `at`. */
export function isDash(line: string, at: number): boolean {
  return isItemDash(line, at, line.length);
}

/** What may follow a value on its line: spaces, then nothing or a comment. */
export function restIsEmpty(line: string, from: number): boolean {
  return restIsComment(line, from, line.length, false);
}
