/**
 * What both block-YAML readers leave to `yaml`, decided once: texts they do not read at all
 * (characters `yaml` reads in its own ways, tabs in indentation, templates), the stream structure they
 * refuse (directives, markers followed by content, content after `...`), and the node properties and
 * keys they never take at face value. The loader refuses where these say so; the locator refuses, or marks the node as uncertain.
 */
import { breaksAreCertain, type LineTable } from "./block-lines.js";
import { CONTENT_LINE, documentMarker, lineKind, restIsComment } from "./block-scan.js";
import { unsure } from "./unsure.js";

/**
 * Characters no reader takes: C0 controls but tab, LF and CR (`yaml` keeps some, drops DEL), and a
 * byte-order mark anywhere (`yaml` skips one at the very start, which shifts its columns, and keeps
 * one elsewhere in a key or value).
 */
// eslint-disable-next-line no-control-regex
const UNREAD_CHARACTERS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]/;

/** Where a Go template starts. */
export const TEMPLATE_OPEN = "{{";

/** How a text is read. */
export interface RefusalOptions {
  /**
   * Whether a `{{` is refused: the loader must leave a template outside a render to `yaml`'s template
   * check; where lines are does not depend on it, so the locator does not.
   */
  templates: boolean;
}

/**
 * A tab in a line's indentation: an error for `yaml` where it indents structure, content where it
 * follows a block scalar's indentation; neither reader tells the two apart. (A tab elsewhere on a line
 * is each reader's own concern: it separates tokens or is content.)
 */
const TAB_IN_INDENTATION = /^ *\t/m;

/**
 * Whether a reader leaves the whole text to `yaml`: unread characters, line breaks `yaml` reads
 * otherwise, a tab in indentation, or a template.
 */
export function refusesText(text: string, options: RefusalOptions): boolean {
  return (
    UNREAD_CHARACTERS.test(text) ||
    !breaksAreCertain(text) ||
    (text.includes("\t") && TAB_IN_INDENTATION.test(text)) ||
    (options.templates && text.includes(TEMPLATE_OPEN))
  );
}

/**
 * The document marker the line from `start` to `end` is (`---` or `...`, then nothing or a comment);
 * undefined for other lines. A directive (`%YAML`, `%TAG`), or a marker followed by content (`--- |`,
 * `--- !tag`, `... x`, `---x`), is `unsure()`.
 */
export function streamMarker(text: string, start: number, end: number): "---" | "..." | undefined {
  if (text.charCodeAt(start) === 37 /* % */) unsure();
  if (!text.startsWith("---", start) && !text.startsWith("...", start)) return undefined;
  const marker = documentMarker(text, start, end);
  if (!marker || !restIsComment(text, start + 3, end, false)) unsure();
  return marker;
}

/** One document of a stream: its content lines, from the line after its `---` (or the first) to before its end. */
export interface DocumentSpan {
  from: number;
  to: number;
}

/**
 * The documents of the first `count` lines of `text`, numbered as `yaml` numbers them (empty ones
 * included). `unsure()` for what `streamMarker` refuses, a `...` with no document open, and content
 * after a `...` before the next `---` (a bare document the readers do not start).
 */
export function documentSpans(text: string, lines: LineTable, count: number): DocumentSpan[] {
  const spans: DocumentSpan[] = [];
  let from = 0;
  let open = false;
  let closed = false;
  for (let i = 0; i < count; i++) {
    const start = lines.starts[i]!;
    const end = lines.ends[i]!;
    const marker = streamMarker(text, start, end);
    if (!marker) {
      if (lineKind(text, start, end, false) !== CONTENT_LINE) continue;
      if (closed) unsure();
      open = true;
      continue;
    }
    if (marker === "---") {
      if (open) spans.push({ from, to: i });
      open = true;
      closed = false;
      from = i + 1;
    } else {
      if (!open) unsure();
      spans.push({ from, to: i });
      open = false;
      closed = true;
    }
  }
  if (open) spans.push({ from, to: count });
  return spans;
}

/** Whether the character at `at` starts a node property or an alias (`&anchor`, `!tag`, `*alias`): never read through. */
export function startsNodeProperty(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c === 38 /* & */ || c === 33 /* ! */ || c === 42; /* * */
}

/**
 * Whether a key's name means more than a property: `<<` (a YAML 1.1 merge when plain, and still read as
 * one by positionOf when quoted), `__proto__` (an object's prototype to JavaScript), or a name starting
 * with `{` (how a template key looks to the loader's slow path).
 */
export function isReservedKey(name: string): boolean {
  return name === "<<" || name === "__proto__" || name.startsWith("{");
}
