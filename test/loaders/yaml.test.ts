import { describe, expect, it } from "vitest";
import { parseManifestStream } from "../../src/loaders/yaml.js";

const parse = (text: string) => parseManifestStream(text, { file: "x.yaml" });

describe("parseManifestStream", () => {
  it("keeps the line of every document of a multi-document stream", () => {
    const { resources, errors } = parse(
      "# c\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b, namespace: ns}\n",
    );
    expect(errors).toEqual([]);
    expect(resources.map((r) => [r.ref.kind, r.ref.namespace, r.ref.name, r.source.line, r.source.documentIndex])).toEqual([
      ["ConfigMap", "", "a", 2, 0],
      ["Secret", "ns", "b", 8, 2],
    ]);
  });

  it("expands List kinds with the line of each item", () => {
    const { resources } = parse(
      "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: b}\n",
    );
    expect(resources.map((r) => [r.ref.name, r.source.line])).toEqual([
      ["a", 4],
      ["b", 7],
    ]);
  });

  it("reads YAML 1.1 like the Kubernetes API server: 0400 is octal", () => {
    const { resources } = parse(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n    - name: s\n      secret: {secretName: s, defaultMode: 0400}\n",
    );
    expect((resources[0]!.object.spec as any).volumes[0].secret.defaultMode).toBe(0o400);
  });

  it("reads JSON", () => {
    expect(parse('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"erlmcp"}}').resources[0]?.ref.name).toBe("erlmcp");
  });

  it.each([
    ["broken YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n", "YAML_SYNTAX", 4],
    ["duplicate keys", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\n", "YAML_DUPLICATE_KEY", 3],
    ["a document that is not a mapping", "- a\n- b\n", "NOT_AN_OBJECT", 1],
    ["a scalar document", "just text\n", "NOT_AN_OBJECT", 1],
    ["an object without kind", "apiVersion: v1\nmetadata: {name: a}\n", "MISSING_KIND", 1],
    ["Go templates outside a chart", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n", "TEMPLATED_YAML", 4],
  ])("reports %s with its code and line", (_name, text, code, line) => {
    const { resources, errors } = parse(text);
    expect(resources).toEqual([]);
    expect(errors).toMatchObject([{ code, file: "x.yaml", line }]);
  });

  describe("YAML merge keys (<<), which sigs.k8s.io/yaml applies in order", () => {
    // `x` holds the anchor (the loader does not check types: the schema check comes later).
    const pod = (securityContext: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nx: &on {privileged: true, runAsUser: 0}\nspec:\n  containers:\n    - name: a\n      securityContext: ${securityContext}\n`;
    const securityContextOf = (text: string) => {
      const { resources, errors } = parse(text);
      return { errors, securityContext: (resources[0]?.object.spec as any)?.containers[0].securityContext };
    };

    it.each([
      ["a key set before a merge that sets it (block)", "\n        privileged: false\n        <<: *on\n", 10],
      ["a key set before a merge that sets it (flow)", "{privileged: false, <<: {privileged: true}}", 8],
      ["a key set by an earlier merge", "\n        <<: {privileged: false}\n        <<: [*on]\n", 10],
      ["a key a nested merge brings in", "\n        privileged: false\n        <<: {<<: *on}\n", 10],
    ])("refuses %s: kubectl takes the merged value, the YAML merge specification the earlier one", (_name, context, line) => {
      const { errors } = parse(pod(context));
      expect(errors).toMatchObject([{ code: "YAML_MERGE_CONFLICT", file: "x.yaml", line }]);
      expect(errors[0]!.message).toContain('"privileged"');
    });

    it("reads a merge every reader agrees on: new keys, keys set after it, the first of a list of sources", () => {
      expect(securityContextOf(pod("\n        <<: *on\n        privileged: false\n"))).toEqual({
        errors: [],
        securityContext: { privileged: false, runAsUser: 0 },
      });
      expect(securityContextOf(pod("{<<: [{runAsUser: 1}, *on], readOnlyRootFilesystem: true}"))).toEqual({
        errors: [],
        securityContext: { runAsUser: 1, privileged: true, readOnlyRootFilesystem: true },
      });
    });

    it('keeps a quoted "<<" an ordinary key, as every reader does', () => {
      const { errors, resources } = parse('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1", "<<": "2"}\n');
      expect(errors).toEqual([]);
      expect(resources[0]!.object.data).toEqual({ a: "1", "<<": "2" });
    });
  });

  it("bounds alias expansion (billion laughs) with a clear error", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const { resources, errors } = parse(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${levels.map((l) => `  ${l}`).join("\n")}\n`,
    );
    expect(resources).toEqual([]);
    expect(errors).toMatchObject([{ code: "YAML_ALIAS_LIMIT", file: "x.yaml" }]);
  });

  it("still returns the good documents of a stream with a bad one", () => {
    const { resources, errors } = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n---\n- not an object\n");
    expect(resources.map((r) => r.ref.name)).toEqual(["good"]);
    expect(errors).toMatchObject([{ code: "NOT_AN_OBJECT", line: 5 }]);
  });

  it("does not mistake templated values inside rendered output for an error", () => {
    const { errors } = parseManifestStream("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  t: '{{ x }}'\n", {
      file: "r",
      renderedFrom: { tool: "helm", path: "c" },
    });
    expect(errors).toEqual([]);
  });
});
