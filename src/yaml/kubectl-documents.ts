/**
 * How kubectl cuts a YAML stream into documents, which is not how YAML does.
 *
 * kubectl, `helm install` and everything built on k8s.io/apimachinery's YAMLReader split a stream at
 * each line that starts with `---` followed by nothing but white space or a comment, and decode each
 * part with sigs.k8s.io/yaml, which reads the **first** YAML document of the part and ignores the rest.
 * YAML also ends a document at a `...` line (and starts one at a `---` that carries content: `--- !!map`),
 * so a document after `...` with no `---` line before it is an object to a YAML parser and nothing to
 * kubectl: auditing it would audit an object the cluster never receives (a default-deny
 * NetworkPolicy that covers nothing). A `---#x` line is the reverse: a separator to kubectl, content to YAML.
 */

/** Go's `unicode.IsSpace`, which `strings.TrimSpace` trims (JavaScript's `trim` also trims U+FEFF). */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

function isGoSpace(ch: string | undefined): boolean {
  return ch !== undefined && GO_SPACE.test(ch);
}

/** Whether a line (without its `\n`) is a document separator to kubectl's YAMLReader. */
export function isKubectlSeparator(line: string): boolean {
  if (!line.startsWith("---")) return false;
  let at = 3;
  while (isGoSpace(line[at])) at++;
  return at >= line.length || line[at] === "#";
}

/** Whether a line is a YAML document marker (`---` or `...`, then the end of the line, a space, a tab or CR). */
function isYamlMarker(line: string): boolean {
  if (!line.startsWith("---") && !line.startsWith("...")) return false;
  const next = line[3];
  return next === undefined || next === " " || next === "\t" || next === "\r";
}

/** kubectl's parts of `text`: where each starts (0, and the line after each separator), and where each separator line starts. */
function kubectlParts(text: string): { starts: number[]; separators: number[] } {
  const starts = [0];
  const separators: number[] = [];
  for (let at = 0; at < text.length;) {
    const nl = text.indexOf("\n", at);
    const end = nl === -1 ? text.length : nl;
    if (isKubectlSeparator(text.slice(at, end))) {
      separators.push(at);
      starts.push(end + 1);
    }
    at = end + 1;
  }
  return { starts, separators };
}

/** The index of the first of the ascending `offsets` above `offset` (`offsets.length` when none is). */
function firstAbove(offsets: readonly number[], offset: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]! > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The start of the line after the one `offset` is on (`offset` itself when it starts a line). */
function lineAfter(text: string, offset: number): number {
  if (offset === 0 || text[offset - 1] === "\n") return offset;
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
}

/** Why kubectl would not apply a YAML document as it is read: where, and what to change. */
export interface KubectlDocumentProblem {
  /** The offset the problem is reported at. */
  offset: number;
  message: string;
  hint: string;
}

/**
 * Checks each YAML document (the offsets where its content starts and ends) against kubectl's parts of
 * `text`: a document that does not start its part (a YAML marker line — `...`, or `---` with content —
 * stands between the part's start and the document) is one kubectl never decodes; a document that a
 * separator line cuts is read by kubectl as two parts. Returns one problem per such document, in order.
 */
export function kubectlDocumentProblems(
  text: string,
  documents: ReadonlyArray<{ start: number; end: number } | undefined>,
): Array<KubectlDocumentProblem | undefined> {
  if (documents.every((d) => d === undefined)) return documents.map(() => undefined);
  const { starts, separators } = kubectlParts(text);
  // One pass over the text between documents: per part, how far it was read and the first marker line in it.
  let part = -1;
  let readTo = 0;
  let marker: string | undefined;
  return documents.map((document) => {
    if (!document) return undefined;
    const { start, end } = document;
    const partOfStart = firstAbove(starts, start) - 1;
    if (partOfStart !== part) {
      part = partOfStart;
      readTo = starts[part]!;
      marker = undefined;
    }
    if (!marker && readTo < start)
      marker = text
        .slice(readTo, start)
        .split("\n")
        .find((line) => isYamlMarker(line));
    readTo = Math.max(readTo, lineAfter(text, end));
    if (marker) {
      const shown = marker.startsWith("...") ? "`...`" : `\`${marker.trimEnd()}\``;
      return {
        offset: start,
        message: `kubectl would never apply this object: it follows a ${shown} line with no \`---\` line between, and kubectl (helm install, Argo CD, Flux) cut a stream only at lines that are \`---\` (then nothing or a comment) and read only the first YAML document of each part`,
        hint: "put a `---` line of its own before this object",
      };
    }
    const cut = separators[firstAbove(separators, start)];
    if (cut !== undefined && cut < end) {
      return {
        offset: cut,
        message:
          "this line starts with `---`, where kubectl (and helm install, Argo CD, Flux) cut the stream, but YAML reads it as part of the document: kubectl would read two broken documents",
        hint: "do not start a line of a document with `---`",
      };
    }
    return undefined;
  });
}

/**
 * `text` without the byte-order mark that starts a kubectl part after a separator line: sigs.k8s.io/yaml
 * decodes each part on its own, and go-yaml drops a mark that starts its input, so such a document is
 * applied; YAML reads the mark as the first character of its first key (`\ufeffapiVersion`). Line
 * numbers are kept (a removed mark shifts only the columns of its own line).
 */
export function withoutPartByteOrderMarks(text: string): string {
  if (text.indexOf("\ufeff", 1) === -1) return text;
  const { starts } = kubectlParts(text);
  let out = "";
  let from = 0;
  for (const start of starts) {
    if (start === 0 || text[start] !== "\ufeff") continue;
    out += text.slice(from, start);
    from = start + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
