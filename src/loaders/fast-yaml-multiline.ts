/**
 * The scalars of the fast YAML path that span lines: block scalars (`|`, `>` with their indicators) and
 * plain scalars continued on more-indented lines, read from the lines of one document as `yaml` reads them.
 */
import { blockScalarHeader, commentStart, holdsMappingColon } from "../yaml/block-scan.js";
import { unsure } from "../yaml/unsure.js";
import { indentOf, isEmptyLine, restIsEmpty } from "./fast-yaml-lines.js";
import { fold } from "./fast-yaml-scalars.js";

/** A scalar read from lines, and the index of the first line after it. */
export interface MultilineScalar {
  value: string;
  next: number;
}

/**
 * The plain scalar whose first line (index `pos`) holds `first`, folded with its continuation lines
 * (more indented than `indent`, before `end`) as `yaml` folds them: trimmed, joined by a space, or by
 * one line break per empty line. Undefined when no continuation line follows.
 */
export function plainContinuation(lines: string[], pos: number, end: number, first: string, indent: number): MultilineScalar | undefined {
  let folded = first;
  let empty = 0;
  let last = -1;
  for (let j = pos + 1; j < end; j++) {
    const line = lines[j]!;
    const spaces = indentOf(line);
    if (spaces === line.length) {
      empty++;
      continue;
    }
    if (spaces <= indent || line.charCodeAt(spaces) === 35 /* # */) break;
    const text = line.slice(spaces).trimEnd();
    if (
      line.includes("\t") ||
      holdsMappingColon(text) ||
      commentStart(line, spaces, line.length) < line.length ||
      "?:,[]{}#&*!|>'\"%@`".includes(text[0]!) ||
      text === "-" ||
      text.startsWith("- ")
    )
      unsure();
    folded += (empty ? "\n".repeat(empty) : " ") + text;
    empty = 0;
    last = j;
  }
  return last < 0 ? undefined : { value: folded, next: last + 1 };
}

/**
 * The `|` or `>` block scalar whose header is at `at` of line `pos`, its content on the following lines
 * (before `end`) more indented than `parentIndent`.
 */
export function blockScalar(lines: string[], pos: number, end: number, at: number, parentIndent: number): MultilineScalar {
  const line = lines[pos]!;
  const header = blockScalarHeader(line, at, line.length);
  if (!restIsEmpty(line, header.next)) unsure();
  const start = pos + 1;
  let contentIndent = header.explicit ? parentIndent + header.explicit : -1;
  let j = start;
  if (contentIndent < 0) {
    let leading = 0;
    while (j < end && indentOf(lines[j]!) === lines[j]!.length) leading = Math.max(leading, lines[j++]!.length);
    if (j >= end) unsure();
    contentIndent = indentOf(lines[j]!);
    if (contentIndent <= parentIndent || leading > contentIndent) unsure();
    j = start;
  }
  const content: string[] = [];
  let lastContent = -1;
  for (; j < end; j++) {
    const text = lines[j]!;
    const spaces = indentOf(text);
    if (spaces === text.length) {
      if (spaces > contentIndent) unsure();
      content.push("");
      continue;
    }
    if (spaces < contentIndent) break;
    content.push(text.slice(contentIndent));
    lastContent = content.length - 1;
  }
  if (lastContent < 0 || (j >= lines.length && lines.length === end)) unsure();
  const trailing = content.length - 1 - lastContent;
  const body = content.slice(0, lastContent + 1);
  if (j < end && indentOf(lines[j]!) > parentIndent && !isEmptyLine(lines[j]!)) unsure();
  const text = header.folded ? fold(body) : body.join("\n");
  if (header.chomp === "-") return { value: text, next: j };
  if (header.chomp === "+") return { value: text + "\n" + "\n".repeat(trailing), next: j };
  return { value: text + "\n", next: j };
}
