/**
 * Hostile and broken input, through the CLI in-process. Each case sits beside a good manifest: the
 * run must name the broken file with a one-line message and a fix, exit 2, and still audit the rest.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import type { InputError } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { ALIAS_BOMB, CONFIGMAP, tempTree } from "../helpers/tmp.js";

const CASES: Array<[string, Record<string, string | Buffer>, string, string]> = [
  ["malformed YAML", { "x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n" }, "YAML_SYNTAX", "x.yaml:4:14"],
  ["an alias bomb", { "x.yaml": ALIAS_BOMB }, "YAML_ALIAS_LIMIT", "x.yaml:1"],
  ["a binary file", { "x.yaml": Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]) }, "BINARY_FILE", "x.yaml"],
  ["a Latin-1 file", { "x.yaml": Buffer.from("kind: ConfigMap\nmetadata: {name: caf\xe9}\n", "latin1") }, "BINARY_FILE", "x.yaml"],
  [
    "10,000 nested flow sequences",
    { "x.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata:\n  x: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n` },
    "YAML_TOO_DEEP",
    "x.yaml:1",
  ],
  [
    "300 nested block mappings",
    {
      "x.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\nspec:\n${Array.from({ length: 300 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:\n`).join("")}${"  ".repeat(301)}v: 1\n`,
    },
    "YAML_TOO_DEEP",
    "x.yaml:1",
  ],
  [
    "duplicate keys",
    { "x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n" },
    "YAML_DUPLICATE_KEY",
    "x.yaml:5:3",
  ],
  ["a document that is a list", { "x.yaml": "- a\n- b\n" }, "NOT_AN_OBJECT", "x.yaml:1"],
  ["a document that is a scalar", { "x.json": "42\n" }, "NOT_AN_OBJECT", "x.json:1"],
  ["a List with a scalar item", { "x.yaml": "apiVersion: v1\nkind: List\nitems:\n  - 7\n" }, "NOT_AN_OBJECT", "x.yaml:4"],
  ["no apiVersion/kind", { "x.yaml": "metadata: {name: a}\ndata: {}\n" }, "MISSING_KIND", "x.yaml:1"],
  [
    "Go templates outside a chart",
    { "x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n" },
    "TEMPLATED_YAML",
    "x.yaml:4:9",
  ],
  [
    "a Helm chart whose template fails",
    {
      "chart/Chart.yaml": "apiVersion: v2\nname: bad\nversion: 0.1.0\n",
      "chart/values.yaml": "{}\n",
      "chart/templates/x.yaml": '{{ fail "replicas must be set" }}\n',
    },
    "RENDER_FAILED",
    "chart@values.yaml",
  ],
  [
    "a Kustomize overlay with a missing base",
    { "overlay/kustomization.yaml": "resources: [../base-that-is-gone]\n" },
    "RENDER_FAILED",
    "overlay/kustomization.yaml:1",
  ],
];

const good = { "good/cm.yaml": CONFIGMAP("survivor") };
const ARGS = ["--controls", "pod-no-host-access", "--no-config", "--format", "json"];

async function audit(paths: string[], extra: string[] = []) {
  const r = await runCli([...paths, ...ARGS, ...extra]);
  return { ...r, report: JSON.parse(r.stdout) as AuditReport };
}

function expectUsable(e: InputError): void {
  expect(e.message, e.code).not.toMatch(/\n/);
  expect(e.hint, `${e.code} has no fix`).toMatch(/\S/);
  expect(e.file).toMatch(/\S/);
}

function expectGoodAudited(report: AuditReport): void {
  expect(report.units.flatMap((u) => u.resources.map((r) => r.name))).toContain("survivor");
}

describe("hostile input: exit 2, the file named with a fix, everything else audited", () => {
  it.each(CASES)("%s", async (_, files, code, location) => {
    const root = tempTree({ ...good, ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`case/${k}`, v])) });
    const started = Date.now();
    const { code: exit, report, stderr } = await audit([join(root, "case"), join(root, "good")]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(exit, stderr).toBe(2);
    expect(report.inputErrors.map((e) => e.code)).toEqual([code]);
    const [e] = report.inputErrors;
    expectUsable(e!);
    expect([e!.file, e!.line, e!.column].filter((x) => x !== undefined).join(":")).toMatch(
      new RegExp(`${location.replace(/[.@]/g, "\\$&")}$`),
    );
    expectGoodAudited(report);
  });

  it("unknown kinds and CRDs are reported as not evaluated, without failing the run", async () => {
    const root = tempTree({
      ...good,
      "case/crd.yaml":
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n" +
        "spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced,\n" +
        "  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]}\n",
      "case/widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: erlmcp}\n",
    });
    const { code, report } = await audit([join(root, "case"), join(root, "good")]);
    expect(code).toBe(0);
    expect(report.units.map((u) => [u.id.split("/").pop(), u.unevaluatedKinds])).toEqual([
      ["case", ["CustomResourceDefinition", "Widget"]],
      ["good", ["ConfigMap"]],
    ]);
    const text = await runCli([join(root, "case"), "--controls", "pod-no-host-access", "--no-config", "--verbose"]);
    expect(text.stdout).toContain("not evaluated (no control inspects these kinds): CustomResourceDefinition, Widget");
  });

  it("an empty directory beside a good one is an error, not a silent pass", async () => {
    const root = tempTree(good);
    mkdirSync(join(root, "empty"));
    const { code, report } = await audit([join(root, "empty"), join(root, "good")]);
    expect(code).toBe(2);
    expect(report.inputErrors.map((e) => [e.code, e.file.endsWith("empty")])).toEqual([["EMPTY_INPUT", true]]);
    expectUsable(report.inputErrors[0]!);
    expectGoodAudited(report);
  });

  it("symbolic link loops (directory and file) are reported and skipped", async () => {
    const root = tempTree(good);
    mkdirSync(join(root, "good/sub"));
    symlinkSync(join(root, "good"), join(root, "good/sub/back"));
    symlinkSync(join(root, "good/b.yaml"), join(root, "good/a.yaml"));
    symlinkSync(join(root, "good/a.yaml"), join(root, "good/b.yaml"));
    const { code, report } = await audit([join(root, "good")]);
    expect(code).toBe(2);
    expect(report.inputErrors.map((e) => [e.code, e.file.split("/").slice(-2).join("/")])).toEqual([
      ["SYMLINK_LOOP", "sub/back"],
      ["SYMLINK_LOOP", "good/a.yaml"],
      ["SYMLINK_LOOP", "good/b.yaml"],
    ]);
    report.inputErrors.forEach(expectUsable);
    expectGoodAudited(report);
  });

  it("a FIFO named like a manifest is reported, not read (reading it would block forever)", async () => {
    const root = tempTree(good);
    expect(spawnSync("mkfifo", [join(root, "good/pipe.yaml")]).status).toBe(0);
    const { code, report } = await audit([join(root, "good")]);
    expect(code).toBe(2);
    expect(report.inputErrors.map((e) => [e.code, e.file.split("/").pop()])).toEqual([["UNREADABLE", "pipe.yaml"]]);
    expectUsable(report.inputErrors[0]!);
    expectGoodAudited(report);
  });

  // chmod 000 does not stop root, and the suite runs as root in CI; an unprivileged run covers it.
  it.skipIf(process.getuid?.() === 0)("an unreadable file (chmod 000) is reported", async () => {
    const root = tempTree({ ...good, "good/secret.yaml": CONFIGMAP("hidden") });
    chmodSync(join(root, "good/secret.yaml"), 0);
    const { code, report } = await audit([join(root, "good")]);
    expect(code).toBe(2);
    expect(report.inputErrors.map((e) => e.code)).toEqual(["UNREADABLE"]);
    expectGoodAudited(report);
  });

  it("a missing helm or kustomize binary names the tool and how to install it", async () => {
    const root = tempTree({
      ...good,
      "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
      "chart/values.yaml": "{}\n",
      "chart/templates/cm.yaml": CONFIGMAP("from-chart"),
      "overlay/kustomization.yaml": "resources: [cm.yaml]\n",
      "overlay/cm.yaml": CONFIGMAP("from-overlay"),
    });
    const saved = { path: process.env.PATH, dir: process.env.ERLMCP_AUDIT_ENGINES_DIR };
    process.env.PATH = join(root, "no-bin");
    process.env.ERLMCP_AUDIT_ENGINES_DIR = join(root, "no-engines");
    try {
      const { code, report } = await audit([join(root, "chart"), join(root, "overlay"), join(root, "good")]);
      expect(code).toBe(2);
      expect(report.inputErrors.map((e) => [e.code, e.message.split(" ")[0]])).toEqual([
        ["TOOL_MISSING", "helm"],
        ["TOOL_MISSING", "kustomize"],
      ]);
      report.inputErrors.forEach(expectUsable);
      expect(report.inputErrors[0]!.message).toContain("npm run engines");
      expectGoodAudited(report);
    } finally {
      process.env.PATH = saved.path;
      if (saved.dir === undefined) delete process.env.ERLMCP_AUDIT_ENGINES_DIR;
      else process.env.ERLMCP_AUDIT_ENGINES_DIR = saved.dir;
    }
  });

  it("the text report gives each input error on one line: file:line:column, message, fix, code", async () => {
    const root = tempTree({ ...good, "case/x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n" });
    const r = await runCli([join(root, "case"), join(root, "good"), "--controls", "pod-no-host-access", "--no-config"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^ {2}✖ \S*case\/x\.yaml:5:3: Map keys must be unique \(keep one of the duplicate keys\) \[YAML_DUPLICATE_KEY\]$/m,
    );
  });

  it("the process does not crash on any of them together", () => {
    const root = tempTree({
      ...good,
      ...Object.fromEntries(
        CASES.flatMap(([name, files]) => Object.entries(files).map(([k, v]) => [`${name.replace(/\W+/g, "-")}/${k}`, v])),
      ),
    });
    writeFileSync(join(root, "list.txt"), "");
    const r = spawnSync(process.execPath, [join(import.meta.dirname, "../../bin/erlmcp-audit.js"), root, ...ARGS], {
      encoding: "utf8",
      env: process.env,
    });
    expect(r.status, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.inputErrors.length).toBe(CASES.length);
    expectGoodAudited(report);
  });
});
