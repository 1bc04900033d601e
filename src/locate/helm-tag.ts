/**
 * Tags the lines of Helm templates with YAML comments naming their file and line, so that a render of
 * the tagged chart says which template line produced each rendered line (see docs/locations.md).
 *
 * - `#@L:<file>:<line>` ends the output of a template line that writes a YAML key or list item, or a
 *   lone `{{ … | nindent n }}` action;
 * - when the line ends in a `{{ … | nindent n }}` action (`toYaml`, `include`), `#@B:<file>:<line>`
 *   starts the action's output and the `#@L` follows it on a line of its own: the rendered lines in
 *   between come from that action.
 * A line is left untagged when a comment there could change the output: inside a multi-line action or
 * a block scalar, a line ending in `-}}` or followed by a `{{-` action whose text joins it, a line
 * that opens a flow collection or a quoted string it does not close, a document separator.
 */

/** One tag found in a rendered line. */
export interface Tag {
  kind: "L" | "B";
  file: number;
  line: number;
}

const TAG = / ?#@([LB]):(\d+):(\d+)/g;

/** The tags of a rendered line, in order. */
export function tagsOf(renderedLine: string): Tag[] {
  return [...renderedLine.matchAll(TAG)].map((m) => ({ kind: m[1] as "L" | "B", file: Number(m[2]), line: Number(m[3]) }));
}

/** A line's shape, read without evaluating its actions. */
interface LineShape {
  /** Starts and ends outside a `{{ … }}` action. */
  closed: boolean;
  /** Nothing but actions (and blanks). */
  actionsOnly: boolean;
  /** Actions only, all of them control or assignment (they write nothing). */
  silent: boolean;
  /** One action ending in `| nindent n`: its output starts on a new line. */
  nindent: boolean;
  /** The text outside actions. */
  literal: string;
  indent: number;
}

const CONTROL = /^(?:if|else|end|range|with|define|block|break|continue|\/\*|\$[\w]*\s*:?=)/;
const KEY_LINE = /^\s*(?:-\s+)*(?:"[^"]*"|'[^']*'|[^\s#{"'-][^#{]*?)\s*:(?:\s|$)/;
/** Keys are short: the key pattern reads no further (a long line would make it slow). */
const MAX_KEY_LINE = 512;
const ITEM_LINE = /^\s*-(?:\s|$)/;
const NINDENT_AT_END = /\|\s*nindent\s+\d+\s*\}\}\s*$/;
const BLOCK_HEADER = /(?::|^\s*-)\s+[|>][-+0-9]{0,2}\s*(?:#.*)?$/;

/** Splits a line into actions and literal text; `open` says whether it starts inside an action. */
function shapeOf(line: string, open: boolean): { shape: LineShape; open: boolean } {
  let literal = "";
  const actions: string[] = [];
  let i = 0;
  let inAction = open;
  let current = "";
  while (i < line.length) {
    if (!inAction && line.startsWith("{{", i)) {
      inAction = true;
      current = "";
      i += 2;
    } else if (inAction && line.startsWith("}}", i)) {
      inAction = false;
      actions.push(current);
      i += 2;
    } else {
      if (inAction) current += line[i];
      else literal += line[i];
      i++;
    }
  }
  const bodies = actions.map((a) => a.replace(/^-?\s*/, "").replace(/\s*-?$/, ""));
  const actionsOnly = literal.trim() === "" && actions.length > 0;
  return {
    open: inAction,
    shape: {
      closed: !open && !inAction,
      actionsOnly,
      silent: actionsOnly && bodies.every((b) => CONTROL.test(b)),
      nindent: actionsOnly && actions.length === 1 && /\|\s*nindent\s+\d+$/.test(bodies[0] ?? "") && !CONTROL.test(bodies[0] ?? ""),
      literal,
      indent: line.length - line.trimStart().length,
    },
  };
}

/** Whether the literal text leaves a quoted string or a flow collection open at the end of the line. */
function leavesOpen(literal: string): boolean {
  const text = literal.replace(/"(?:[^"\\]|\\.)*"/g, "").replace(/'[^']*'/g, "");
  if (/["']/.test(text)) return true;
  const opens = (text.match(/[[{]/g) ?? []).length;
  const closes = (text.match(/[\]}]/g) ?? []).length;
  return opens !== closes;
}

/** The template text with its lines tagged for file number `file` (see the module comment). */
export function tagTemplate(text: string, file: number): string {
  const lines = text.split("\n");
  const shapes: LineShape[] = [];
  let open = false;
  for (const line of lines) {
    const next = shapeOf(line, open);
    shapes.push(next.shape);
    open = next.open;
  }
  const out: string[] = [];
  let blockIndent: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const shape = shapes[i]!;
    if (blockIndent !== undefined) {
      if (line.trim() === "" || shape.actionsOnly || !shape.closed || shape.indent > blockIndent) {
        out.push(line);
        continue;
      }
      blockIndent = undefined;
    }
    if (shape.closed && BLOCK_HEADER.test(shape.literal)) blockIndent = shape.indent;
    // A CRLF file: the tag goes before the CR (a CR is a line break to YAML).
    const cr = line.endsWith("\r") ? "\r" : "";
    const tagged = tagLine(cr ? line.slice(0, -1) : line, shape, shapes[i + 1], lines[i + 1], lines[i - 1], file, i + 1);
    out.push(`${tagged.replace(/\n/g, `${cr}\n`)}${cr}`);
  }
  return out.join("\n");
}

function tagLine(
  line: string,
  shape: LineShape,
  next: LineShape | undefined,
  nextLine: string | undefined,
  previousLine: string | undefined,
  file: number,
  number: number,
): string {
  if (!shape.closed || /-\}\}\s*$/.test(line) || /^\s*(?:---|#)/.test(line)) return line;
  const keyOrItem =
    !shape.actionsOnly &&
    (KEY_LINE.test(shape.literal.slice(0, MAX_KEY_LINE)) || ITEM_LINE.test(shape.literal)) &&
    !leavesOpen(shape.literal);
  if (!keyOrItem && !shape.nindent) return line;
  // A `{{-` on the next line joins its text to this one, after the tag: unless it writes nothing or starts a new line.
  const joined = next !== undefined && /^\s*\{\{-/.test(nextLine ?? "") && !next.silent && !next.nindent;
  if (joined) return line;
  const end = `#@L:${file}:${number}`;
  if (!NINDENT_AT_END.test(line)) return `${line} ${end}`;
  // An action writing lines of its own: mark where its output starts, and end it on a line of its own
  // (its last line may be inside a block scalar, where a comment would be text).
  const start = line.lastIndexOf("{{");
  const glued = shape.nindent && /-\}\}\s*$/.test(previousLine ?? "");
  return `${glued ? line : `${line.slice(0, start)} #@B:${file}:${number}${line.slice(start)}`}\n${end}`;
}
