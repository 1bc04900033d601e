/** YAML files with source positions: parse once, then point any key path at its line and column. */
import { yamlErrorSummary } from "../yaml/error-summary.js";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";

/** Keys and list indexes from the document root, e.g. `["inputs", 0, "profile"]`. */
export type KeyPath = readonly (string | number)[];

/** A problem with the value at a key path (a missing key: the path it should have). */
export interface Issue {
  path: KeyPath;
  problem: string;
}

/** An issue placed in its file: line and column are 1-based. */
export interface LocatedIssue extends Issue {
  file: string;
  line: number;
  column: number;
}

/** A parsed YAML file: its data, where each key is, and its syntax errors (then `data` is `undefined`). */
export interface YamlSource {
  file: string;
  data: unknown;
  syntaxErrors: LocatedIssue[];
  /** The issue at the key of `path` (a map entry), the item (a list entry) or the nearest existing parent. */
  locate(issue: Issue): LocatedIssue;
}

const SIMPLE_KEY = /^[A-Za-z0-9_-]+$/;

/** `controls.avl-quorum-replicas.params.minReplicas`, `inputs[0].profile`, `(root)` for the document. */
export function formatKeyPath(path: KeyPath): string {
  if (path.length === 0) return "(root)";
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : SIMPLE_KEY.test(key) ? `${i ? "." : ""}${key}` : `[${JSON.stringify(key)}]`))
    .join("");
}

/** `file:line:column: key.path: problem`; without the key path for the whole file (a YAML syntax error). */
export function formatIssue(issue: LocatedIssue): string {
  const key = issue.path.length ? `${formatKeyPath(issue.path)}: ` : "";
  return `${issue.file}:${issue.line}:${issue.column}: ${key}${issue.problem}`;
}

/** Sorted by position then text, without duplicates: the same issue may be found from several profiles. */
export function sortIssues(issues: readonly LocatedIssue[]): LocatedIssue[] {
  const unique = new Map(issues.map((i) => [formatIssue(i), i]));
  return [...unique.values()].sort((a, b) => a.line - b.line || a.column - b.column || formatIssue(a).localeCompare(formatIssue(b), "en"));
}

/** Offset in the text of the node at `path`, or of its nearest existing parent. */
function offsetOf(doc: Document, path: KeyPath): number {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (const key of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(key));
      if (!pair) break;
      offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item: unknown = node.items[key];
      if (!item) break;
      offset = (item as { range?: [number] }).range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

/** Parses YAML text (one document, unique keys, at most 100 aliases) keeping positions for `locate`. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate = (issue: Issue): LocatedIssue => ({ file, ...issue, ...at(offsetOf(doc, issue.path)) });
  const syntaxErrors = doc.errors.map((e) => ({
    file,
    path: [],
    problem: `invalid YAML: ${yamlErrorSummary(e.message)}`,
    ...at(e.pos[0]),
  }));
  if (syntaxErrors.length) return { file, data: undefined, syntaxErrors, locate };
  try {
    return { file, data: doc.toJS({ maxAliasCount: 100 }) ?? {}, syntaxErrors, locate };
  } catch (error) {
    const problem = `invalid YAML: ${yamlErrorSummary((error as Error).message)}`;
    return { file, data: undefined, syntaxErrors: [{ file, path: [], problem, line: 1, column: 1 }], locate };
  }
}
