/** mergeVerdicts: one finding per identity, evaluation errors as findings, message-ID-only engines never replace data. */
import { describe, expect, it } from "vitest";
import type { ControlVerdict } from "../../src/engines/types.js";
import { mergeVerdicts, type EngineVerdict } from "../../src/findings/merge.js";
import type { EngineName, ResourceRef, Violation } from "../../src/types.js";

const pod: ResourceRef = { apiVersion: "v1", kind: "Pod", namespace: "erlmcp", name: "p" };
const control = { id: "pod-no-host-access", messages: { privilegedContainer: "Container {container} is privileged." } };
const context = { control, unit: "u", severity: "critical" as const, sourceOf: () => ({ file: "f.yaml", line: 3, documentIndex: 0 }) };
const verdict = (engine: EngineName, detail: EngineVerdict["detail"], v: Partial<ControlVerdict>): EngineVerdict => ({
  engine,
  detail,
  verdict: { controlId: control.id, violations: [], errors: [], ...v },
});
const privileged = (container?: string): Violation => ({
  messageId: "privilegedContainer",
  data: container ? { container } : {},
  resource: pod,
});

describe("mergeVerdicts", () => {
  it("keeps one finding per identity across engines and apart by data", () => {
    const merged = mergeVerdicts(context, [
      verdict("rego", "violations", { violations: [privileged("a"), privileged("b")] }),
      verdict("typescript", "violations", { violations: [privileged("b"), privileged("a")] }),
    ]);
    expect(merged.findings.map((f) => [f.data.container, f.engine, f.message])).toEqual([
      ["a", "rego", "Container a is privileged."],
      ["b", "rego", "Container b is privileged."],
    ]);
    expect(merged.disagreements).toEqual([]);
  });

  it("adds a message-ID-only finding only where no data-bearing engine reported the tuple, whatever the engine order", () => {
    const kyvernoFirst = mergeVerdicts(context, [
      verdict("kyverno", "messageIds", { violations: [privileged()] }),
      verdict("rego", "violations", { violations: [privileged("a")] }),
    ]);
    expect(kyvernoFirst.findings.map((f) => [f.engine, f.data])).toEqual([["rego", { container: "a" }]]);
    const onlyKyverno = mergeVerdicts(context, [
      verdict("kyverno", "messageIds", { violations: [privileged()] }),
      verdict("rego", "violations", {}),
    ]);
    expect(onlyKyverno.findings.map((f) => [f.engine, f.status])).toEqual([["kyverno", "fail"]]);
    expect(onlyKyverno.disagreements).toMatchObject([{ messageId: "privilegedContainer", reportedBy: ["kyverno"], missedBy: ["rego"] }]);
  });

  it("turns an engine's evaluation error into an error finding that names the engine and the control", () => {
    const merged = mergeVerdicts(context, [verdict("typescript", "violations", { errors: [{ message: "boom", resource: pod }] })]);
    expect(merged).toMatchObject({ failed: 0, errors: 1, engines: ["typescript"] });
    expect(merged.findings).toMatchObject([
      { status: "error", messageId: "evaluationError", message: "typescript could not evaluate pod-no-host-access: boom", resource: pod },
    ]);
  });
});
