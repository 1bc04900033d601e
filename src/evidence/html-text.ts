/** Catalog prose in report.html: Markdown-style `code spans` become <code>, everything else is escaped text. */
import { esc } from "./html-elements.js";

/**
 * Text with its `code spans` as <code> elements and every other character escaped; a backtick without
 * a partner stays a literal backtick. No other Markdown is interpreted, so nothing in it becomes markup.
 */
export function inlineCode(text: string): string {
  const parts = text.split("`");
  // An even number of parts means an odd number of backticks: the last one has no partner.
  const unpaired = parts.length % 2 === 0 ? parts.pop() : undefined;
  const html = parts.map((part, i) => (i % 2 === 1 ? `<code>${esc(part)}</code>` : esc(part))).join("");
  return unpaired === undefined ? html : `${html}${esc("`")}${esc(unpaired)}`;
}
