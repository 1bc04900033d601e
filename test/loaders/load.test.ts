import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadInputs } from "../../src/loaders/load.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

const CHART = {
  "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
  "chart/values.yaml": "name: base\n",
  "chart/values-prod.yaml": "name: prod\n",
  "chart/templates/cm.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n  namespace: {{ .Release.Namespace }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}-2\n  namespace: {{ .Release.Namespace }}\n",
};

describe("loadInputs", () => {
  const root = tempTree({
    ...CHART,
    "kust/base/kustomization.yaml": "resources: [cm.yaml]\n",
    "kust/base/cm.yaml": CONFIGMAP("cfg"),
    "kust/overlays/a/kustomization.yaml": "resources: [../../base]\nnamePrefix: a-\n",
    "kust/overlays/b/kustomization.yaml": "resources: [../../base]\nnamePrefix: b-\n",
    "plain/one.yaml": CONFIGMAP("one"),
    "plain/sub/two.yml": CONFIGMAP("two"),
    "plain/notes.txt": "not a manifest",
    "broken/bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n",
    "broken/good.yaml": CONFIGMAP("good"),
    "broken/binary.yaml": Buffer.from([0x61, 0x00, 0x62, 0x00]),
    "broken/latin1.yaml": Buffer.from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n", "latin1"),
    "badchart/Chart.yaml": "apiVersion: v2\nname: bad\nversion: 0.1.0\n",
    "badchart/values.yaml": "{}\n",
    "badchart/templates/x.yaml": '{{ fail "boom: values are wrong" }}\n',
    "missingbase/kustomization.yaml": "resources: [../does-not-exist]\n",
    "empty/.keep": "",
  });

  it("renders a chart once per values file and points objects at their template line", async () => {
    const { units, errors } = await loadInputs(["chart"], { cwd: root });
    expect(errors).toEqual([]);
    expect(units.map((u) => [u.id, u.kind, u.resources.map((r) => r.ref.name)])).toEqual([
      ["chart@values.yaml", "helm", ["base", "base-2"]],
      ["chart@values-prod.yaml", "helm", ["prod", "prod-2"]],
    ]);
    const second = units[1]!.resources[1]!;
    expect(second.ref.namespace).toBe("demo");
    expect(second.source).toMatchObject({
      file: "chart/templates/cm.yaml",
      line: 8,
      renderedFrom: { tool: "helm", path: "chart", values: "chart/values-prod.yaml" },
    });
  });

  it("renders every kustomization, the base the overlays share included, and finds the source file", async () => {
    const { units, errors } = await loadInputs(["kust"], { cwd: root });
    expect(errors).toEqual([]);
    expect(units.map((u) => [u.id, u.resources.map((r) => r.ref.name)])).toEqual([
      ["kust/base", ["cfg"]],
      ["kust/overlays/a", ["a-cfg"]],
      ["kust/overlays/b", ["b-cfg"]],
    ]);
    expect(units.map((u) => u.resources[0]!.source)).toMatchObject(Array(3).fill({ file: "kust/base/cm.yaml", line: 1 }));
  });

  it("walks plain directories recursively, one unit per path given", async () => {
    const { units, inputs } = await loadInputs(["plain"], { cwd: root });
    expect(units.map((u) => [u.id, u.resources.map((r) => r.ref.name)])).toEqual([["plain", ["one", "two"]]]);
    expect(inputs.map((i) => i.path)).toEqual(["plain/one.yaml", "plain/sub/two.yml"]);
    expect(inputs[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reports broken, binary and non-UTF-8 files by name and still loads the good ones", async () => {
    const { units, errors } = await loadInputs(["broken"], { cwd: root });
    expect(units[0]!.resources.map((r) => r.ref.name)).toEqual(["good"]);
    expect(errors.map((e) => [e.code, e.file, e.line])).toEqual([
      ["YAML_SYNTAX", "broken/bad.yaml", 4],
      ["BINARY_FILE", "broken/binary.yaml", undefined],
      ["BINARY_FILE", "broken/latin1.yaml", undefined],
    ]);
  });

  it("fails a chart whose template fails and a kustomization with a missing base, loading the rest", async () => {
    const { units, errors } = await loadInputs(["badchart", "missingbase", "plain"], { cwd: root });
    expect(units.map((u) => u.id)).toEqual(["plain"]);
    expect(errors.map((e) => [e.code, e.file])).toEqual([
      ["RENDER_FAILED", "badchart@values.yaml"],
      ["RENDER_FAILED", "missingbase/kustomization.yaml"],
    ]);
    expect(errors[0]!.message).toContain("boom: values are wrong");
  });

  it("reports a missing path, an empty directory and a symlink loop", async () => {
    mkdirSync(join(root, "loop"), { recursive: true });
    symlinkSync(join(root, "loop"), join(root, "loop", "self"));
    const missing = await loadInputs(["nope"], { cwd: root });
    expect(missing.errors.map((e) => e.code)).toEqual(["NOT_FOUND"]);
    const empty = await loadInputs(["empty"], { cwd: root });
    expect(empty.errors.map((e) => e.code)).toEqual(["EMPTY_INPUT"]);
    const loop = await loadInputs(["loop"], { cwd: root });
    expect(loop.errors.map((e) => e.code)).toContain("SYMLINK_LOOP");
  });

  it("rejects files over the size limit without reading them", async () => {
    const { errors } = await loadInputs(["plain/one.yaml"], { cwd: root, maxFileBytes: 10 });
    expect(errors).toMatchObject([{ code: "FILE_TOO_LARGE", file: "plain/one.yaml" }]);
  });

  it("reads stdin for -", async () => {
    const { units } = await loadInputs(["-"], { cwd: root, stdin: async () => CONFIGMAP("piped") });
    expect(units).toMatchObject([{ id: "<stdin>", resources: [{ ref: { name: "piped" }, source: { file: "<stdin>", line: 1 } }] }]);
  });

  it("names the missing engine and how to install it", async () => {
    const saved = { ...process.env };
    process.env.ERLMCP_AUDIT_ENGINES_DIR = join(root, "no-engines");
    process.env.PATH = "/nonexistent";
    try {
      const { errors } = await loadInputs(["chart"], { cwd: root });
      expect(errors[0]).toMatchObject({ code: "TOOL_MISSING", file: "chart@values.yaml" });
      expect(errors[0]!.message).toContain("npm run engines");
    } finally {
      process.env = saved;
    }
  });
});
