/**
 * Every Rego control builds its violations with policies/lib/violation.rego, so that each message
 * comes from control.yaml: no policy.rego writes a `msg` or `details` object of its own, each helper
 * call names the policy's own control, and each literal messageId exists in its control.yaml.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { controlIds, loadControl } from "../src/catalog/load.js";
import { POLICIES_DIR } from "../src/paths.js";

const HELPER_CALL = /\bviolation\.(make|make_with_ref|at)\(\s*([^,\s]+)\s*,\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][\w.]*)/g;

/** What keeps a policy.rego from building its violations only through the helper (empty: nothing). */
function helperProblems(controlId: string, rego: string, messages: Record<string, string>): string[] {
  const problems: string[] = [];
  if (/"msg"\s*:/.test(rego)) problems.push('writes a "msg" of its own');
  if (/"details"\s*:/.test(rego)) problems.push('builds a "details" object of its own');
  if (!/^import data\.lib\.violation$/m.test(rego)) problems.push("does not import data.lib.violation");
  if (!rego.includes(`\ncontrol_id := ${JSON.stringify(controlId)}\n`)) problems.push(`does not define control_id := "${controlId}"`);
  const calls = [...rego.matchAll(HELPER_CALL)];
  if (calls.length === 0) problems.push("never calls violation.at, violation.make or violation.make_with_ref");
  for (const [call, , control, messageId] of calls) {
    if (control !== "control_id") problems.push(`${call}: the control is not control_id`);
    if (messageId?.startsWith('"') && !(JSON.parse(messageId) in messages))
      problems.push(`${call}: messageId ${messageId} is not in control.yaml messages`);
  }
  return problems;
}

const regoControls = controlIds()
  .map((id) => loadControl(join(POLICIES_DIR, id)))
  .filter((c) => c.engines.includes("rego"));

describe("Rego violations come from lib.violation and control.yaml", () => {
  it.each(regoControls.map((c) => [c.id, c] as const))("%s", (id, control) => {
    const rego = readFileSync(join(POLICIES_DIR, id, "policy.rego"), "utf8");
    expect(helperProblems(id, rego, control.messages)).toEqual([]);
  });

  it("rejects a policy with its own wrapper, a foreign control or an unknown messageId", () => {
    const rego = [
      "package erlmcp.controls.demo",
      "",
      "import data.lib.k8s",
      "",
      'violation contains out("known", {}) if true',
      'violation contains violation.make("other-control", "known", obj, {}) if true',
      'violation contains violation.make_with_ref(control_id, "unknownId", ref, {}) if true',
      'violation contains violation.at("other-control", "known", obj, ["spec"], {}) if true',
      "",
      'out(message_id, extra) := {"msg": message_id, "details": {"messageId": message_id, "data": extra}}',
    ].join("\n");
    expect(helperProblems("demo", rego, { known: "Known." })).toEqual([
      'writes a "msg" of its own',
      'builds a "details" object of its own',
      "does not import data.lib.violation",
      'does not define control_id := "demo"',
      'violation.make("other-control", "known": the control is not control_id',
      'violation.make_with_ref(control_id, "unknownId": messageId "unknownId" is not in control.yaml messages',
      'violation.at("other-control", "known": the control is not control_id',
    ]);
  });
});
