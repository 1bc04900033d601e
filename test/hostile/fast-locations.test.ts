/**
 * Hostile plain YAML for the fast path of placing findings (src/locate/block-yaml.ts): text that
 * looks like keys inside block and quoted scalars, comments at every indentation, quoted and YAML 1.1
 * keys, CRLF, an indented root, Lists, anchors and merge keys, flow collections, tabs, a byte-order
 * mark, a directive, deep nesting, very long lines. The audit places each finding exactly where
 * `yaml`'s document model places it, and still reports every planted danger.
 */
import { describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import { DEFAULT_PROFILE } from "../../src/config/profiles.js";
import { parseFastYaml } from "../../src/loaders/fast-yaml.js";
import { loadInputs } from "../../src/loaders/load.js";
import { BlockIndex } from "../../src/locate/block-yaml.js";
import { fastPositionOf } from "../../src/locate/fast-position.js";
import { locateFindings } from "../../src/locate/index.js";
import type { Finding } from "../../src/types.js";
import { toAuditUnits } from "../../src/units/profile.js";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, PRIVILEGED_POD, tempTree } from "../helpers/tmp.js";

const deep = (levels: number) => Array.from({ length: levels }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n") + ` leaf`;

const FILES: Record<string, string> = {
  "scalars.yaml": PRIVILEGED_POD("scalars").replace(
    "metadata:\n",
    `metadata:
  annotations:
    script: |
      spec:
        containers:
      # privileged: true
    quoted: "spec:
      containers: x"
    folded: >-
      - name: app
  # comment at the map's indentation
# comment at the margin
`,
  ),
  "keys.yaml": PRIVILEGED_POD("keys").replace("  namespace: erlmcp\n", '  \'namespace\': erlmcp\n  labels:\n    on: x1\n    "1": "y"\n'),
  "crlf.yaml": PRIVILEGED_POD("crlf").replaceAll("\n", "\r\n"),
  "indented.yaml": PRIVILEGED_POD("indented").replace(/^/gm, "   ").trimEnd() + "\n",
  "list.yaml": `apiVersion: v1
kind: List
items:
${PRIVILEGED_POD("item-a")
  .replace(/^/gm, "  ")
  .replace(/^ {2}a/, "- a")
  .trimEnd()}
  # a comment between items
${PRIVILEGED_POD("item-b")
  .replace(/^/gm, "  ")
  .replace(/^ {2}a/, "- a")
  .trimEnd()}
`,
  "anchors.yaml": PRIVILEGED_POD("anchors").replace(
    "      securityContext:\n        privileged: true\n",
    "      securityContext: &ctx\n        privileged: true\n    - name: merged\n      image: busybox\n      securityContext:\n        <<: *ctx\n",
  ),
  "flow.yaml": PRIVILEGED_POD("flow").replace(
    "      securityContext:\n        privileged: true\n",
    "      securityContext: {privileged: true}\n",
  ),
  "tabs.yaml": PRIVILEGED_POD("tabs").replace("image: busybox", "image:\tbusybox"),
  "bom.yaml": "\uFEFF" + PRIVILEGED_POD("bom"),
  "directive.yaml": "%YAML 1.1\n---\n" + PRIVILEGED_POD("directive"),
  "deep.yaml": `${PRIVILEGED_POD("deep")}---\napiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: nested\nspec:\n${deep(150)}\n`,
  "long.yaml": PRIVILEGED_POD("long").replace(
    "  namespace: erlmcp\n",
    `  namespace: erlmcp\n  labels:\n    long: "${"x".repeat(200_000)}"\n`,
  ),
  "multi.yaml": `${PRIVILEGED_POD("first")}...\n---\n# Source: a template\n${PRIVILEGED_POD("second")}---\n${PRIVILEGED_POD("third")}# trailing comment\n`,
};

describe("placing findings in hostile plain YAML", () => {
  const root = tempTree(FILES);

  it("places every finding where yaml's document model places it, and reports every planted privileged container", async () => {
    const loaded = await loadInputs([root], { cwd: root, workers: 1 });
    const report = await audit([root], { cwd: root, config: false, controls: ["pod-no-host-access"], loaded });
    const privileged = report.findings.filter((f) => f.messageId === "privilegedContainer");
    const names = new Set(privileged.map((f) => f.resource.name));
    for (const name of [
      "scalars",
      "keys",
      "crlf",
      "indented",
      "item-a",
      "item-b",
      "anchors",
      "merged",
      "flow",
      "tabs",
      "bom",
      "directive",
      "deep",
      "long",
      "first",
      "second",
      "third",
    ]) {
      if (name === "merged") continue; // the merged container belongs to the "anchors" Pod
      expect(names, name).toContain(name);
    }
    const fieldLines = privileged.filter((f) => f.location?.via === "field");
    expect(fieldLines.length).toBe(privileged.length);

    const units = toAuditUnits(loaded.units, { config: {}, configDir: root, cwd: root, fallback: DEFAULT_PROFILE });
    const again = report.findings.map(({ location: _location, ...rest }) => ({ ...rest }) as Finding);
    await locateFindings(again, units, { cwd: root, texts: loaded.texts, inputs: loaded.inputs, fastPath: false });
    expect(again.map((f) => f.location)).toEqual(report.findings.map((f) => f.location));
  });
});

describe("placing a finding through the CLI in a file spelled with CRLF, escaped quoted keys and document markers", () => {
  // Both block readers read this file (src/yaml/: CRLF breaks, quoted keys, `---`/`...` with comments):
  // the loader must find the privileged container, the locator must put it on line 18.
  const SPELLED = [
    "--- # the ConfigMap",
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    '  "n\\x61me": cfg',
    "... # end of the first document",
    "--- ",
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    '  "name": spelled',
    "  'namespace': erlmcp",
    "spec:",
    '  "containers":',
    '    - "n\\u0061me": app',
    "      image: busybox",
    '      "security\\x43ontext":',
    "        'privileged' : true",
  ].join("\r\n");

  it("reports the privileged container on its exact line, and nothing in the good manifest beside it", async () => {
    const root = tempTree({ "spelled.yaml": SPELLED + "\r\n", "good.yaml": CONFIGMAP("survivor") });
    const run = await runCli([root, "--controls", "pod-no-host-access", "--no-config", "--format", "json"]);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as AuditReport;
    const failed = report.findings.filter((f) => f.status === "fail");
    expect(failed.map((f) => [f.messageId, f.resource.name, f.source.file.endsWith("spelled.yaml"), f.source.line])).toEqual([
      ["privilegedContainer", "spelled", true, 8],
    ]);
    expect(failed[0]!.location).toMatchObject({ line: 18, column: 9, via: "field", objectLines: [8, 18] });
    expect(report.units.flatMap((u) => u.resources.map((r) => r.name))).toContain("survivor");
    // Placed by the fast paths, not only by their fallback to `yaml`.
    expect(parseFastYaml(SPELLED)).not.toBe("unsure");
    const privileged = ["spec", "containers", 0, "securityContext", "privileged"];
    expect(fastPositionOf(new BlockIndex(SPELLED), 8, [], privileged)).toMatchObject({ line: 18, column: 9, found: true });
  });
});
