import fc from "fast-check";
import { Document, parse, visit } from "yaml";
import { describe, expect, it } from "vitest";
import { stripNullKeys } from "../../src/k8s/strip-nulls.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { KUBECTL_YAML } from "../../src/yaml/kubectl-schema.js";

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,15}$/);
// Any string, including YAML 1.1 look-alikes (yes, on, 0o12, 1_000, ~, 2024-01-01) that must stay strings.
const scalar = fc.oneof(
  fc.string(),
  fc.constantFrom("yes", "no", "on", "off", "y", "~", "null", "0o12", "012", "1_000", "0x1F", "2024-01-01", ".inf", "=", "<<", "true"),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(key, tie("node"), { maxKeys: 4 })),
})).node;
const object = fc.record({
  apiVersion: fc.constantFrom("v1", "apps/v1", "example.com/v1alpha1"),
  kind: fc.constantFrom("ConfigMap", "Deployment", "Widget"),
  metadata: fc.record({ name, namespace: name }),
  data: fc.dictionary(key, value, { maxKeys: 5 }),
});

/**
 * YAML 1.1 text kubectl reads back as `value`: `yaml` writes strings such as 0o12 or 1_000 plain (strings
 * in YAML 1.1), which kubectl and the loader (src/yaml/kubectl-schema.ts) read as numbers, so each plain
 * scalar those rules read otherwise is double-quoted.
 */
const NUMBER_LIKE = /^[-+.0-9][^\n]*$/;
const readsAsItself = (text: string) => {
  try {
    return Object.is(parse(text, KUBECTL_YAML), text);
  } catch {
    return false;
  }
};
function kubectlStringify(value: unknown): string {
  const doc = new Document(value, { version: "1.1" });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && NUMBER_LIKE.test(node.value) && !readsAsItself(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString();
}

describe("YAML loader (property)", () => {
  it("parse(stringify(objects)) gives back the same objects, each at the line its document starts", () => {
    fc.assert(
      fc.property(fc.array(object, { minLength: 1, maxLength: 5 }), (objects) => {
        const docs = objects.map(kubectlStringify);
        const expectedLines: number[] = [];
        let line = 1;
        for (const doc of docs) {
          expectedLines.push(line + 1);
          line += 1 + doc.split("\n").length - 1;
        }
        const text = docs.map((d) => `---\n${d}`).join("");
        const { resources, errors } = parseManifestStream(text, { file: "gen.yaml" });
        expect(errors).toEqual([]);
        // JSON null is unset: the loader drops null-valued keys, as the API server does.
        expect(resources.map((r) => r.object)).toEqual(objects.map(stripNullKeys));
        expect(resources.map((r) => r.source.line)).toEqual(expectedLines);
        expect(resources.map((r) => r.source.documentIndex)).toEqual(objects.map((_, i) => i));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary text: every problem is an input error naming the file", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        const { errors } = parseManifestStream(text, { file: "any.yaml" });
        for (const e of errors) {
          expect(e.file).toBe("any.yaml");
          expect(e.message).not.toMatch(/\n/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
