/**
 * One case per way a field gets its value: for each, the reported file:line is the line a person
 * edits, in the JSON report and in the GitHub annotation (the CLI as users run it).
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const CASES = "test/locate/cases";

interface Case {
  name: string;
  control: string;
  messageId: string;
  unit: string;
  file: string;
  line: number;
  column?: number;
  via: string;
  values?: { file: string; key: string; line: number };
}

const cases: Case[] = [
  {
    name: "plain YAML: the field's own line",
    control: "pod-no-host-access",
    messageId: "privilegedContainer",
    unit: `${CASES}/plain`,
    file: `${CASES}/plain/statefulset.yaml`,
    line: 75,
    column: 13,
    via: "field",
  },
  {
    name: "Helm: the line of the helper the template includes, and the values key",
    control: "pod-no-host-access",
    messageId: "privilegedContainer",
    unit: `${CASES}/helm-helper/chart@values-debug.yaml`,
    file: `${CASES}/helm-helper/chart/templates/_helpers.tpl`,
    line: 10,
    via: "helm-helper",
    values: { file: `${CASES}/helm-helper/chart/values-debug.yaml`, key: "debug.privileged", line: 3 },
  },
  {
    name: "Kustomize: the strategic-merge patch line, not the generated base",
    control: "pod-no-host-access",
    messageId: "privilegedContainer",
    unit: `${CASES}/kustomize-smp/overlay`,
    file: `${CASES}/kustomize-smp/overlay/debug-shell.yaml`,
    line: 13,
    column: 13,
    via: "kustomize-patch",
  },
  {
    name: "Kustomize: the JSON 6902 operation that sets it",
    control: "pod-no-host-access",
    messageId: "privilegedContainer",
    unit: `${CASES}/kustomize-6902/overlay`,
    file: `${CASES}/kustomize-6902/overlay/kustomization.yaml`,
    line: 13,
    via: "kustomize-patch",
  },
  {
    name: "Kustomize: the replicas transformer entry",
    control: "avl-quorum-replicas",
    messageId: "evenReplicas",
    unit: `${CASES}/kustomize-replicas/overlay`,
    file: `${CASES}/kustomize-replicas/overlay/kustomization.yaml`,
    line: 7,
    via: "kustomize-transformer",
  },
];

describe("a finding points at the line to change", () => {
  it.each(cases)("$name", async (c) => {
    const dir = c.unit.replace(/@.*$/, "").replace(/\/(chart|overlay)$/, "");
    const json = await runCli([dir, "--controls", c.control, "-f", "json"]);
    const report = JSON.parse(json.stdout) as { findings: Array<Record<string, any>>; inputErrors: unknown[] };
    expect(report.inputErrors).toEqual([]);
    const found = report.findings.filter((f) => f.controlId === c.control && f.messageId === c.messageId && f.unit === c.unit);
    expect(found).toHaveLength(1);
    expect(found[0]!.location).toMatchObject({
      file: c.file,
      line: c.line,
      via: c.via,
      ...(c.column ? { column: c.column } : {}),
      ...(c.values ? { values: c.values } : {}),
    });
    const github = await runCli([dir, "--controls", c.control, "-f", "github"]);
    const annotation = github.stdout.split("\n").find((l) => l.includes(c.messageId) || l.includes(c.control));
    expect(annotation).toContain(`file=${c.file},line=${c.line}`);
  });
});
