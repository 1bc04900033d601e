/** What `yaml` (the slow path) makes of every document of a stream: the reference the fast readers are compared with. */
import { LineCounter, parseAllDocuments, type Document } from "yaml";
import { KUBECTL_YAML } from "../../src/yaml/kubectl-schema.js";

/** Each document with its errors, value (aliases limited to 100), the line its content starts on, and a line lookup. */
export function slowDocuments(text: string) {
  const lineCounter = new LineCounter();
  const docs = Array.from(
    parseAllDocuments(text, {
      lineCounter,
      uniqueKeys: true,
      prettyErrors: false,
      logLevel: "error",
      ...KUBECTL_YAML,
    }) as Iterable<Document>,
  );
  return docs.map((doc) => ({
    doc,
    errors: doc.errors.length,
    value: doc.contents === null ? null : doc.toJS({ maxAliasCount: 100 }),
    line: lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0).line,
    lineOf: (offset: number) => lineCounter.linePos(offset).line,
  }));
}
