/** policies/vap is what scripts/generate-vap.ts generates from the Kyverno policies (drift check), and its shape. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import { generate, VAP_DIR, VAP_UNSUPPORTED } from "../../scripts/generate-vap.js";

describe("policies/vap", () => {
  it("is up to date: every generated file is committed as generated, and nothing else is there", async () => {
    const files = await generate();
    for (const [file, text] of files)
      expect(existsSync(file) && readFileSync(file, "utf8") === text, `${file} is stale: run npx tsx scripts/generate-vap.ts`).toBe(true);
    expect(
      readdirSync(VAP_DIR)
        .map((f) => join(VAP_DIR, f))
        .filter((f) => !files.has(f)),
    ).toEqual([]);
  });

  it("has a policy and a [Warn, Audit] binding, messages prefixed with the control ID, for every object-scope control not listed as unsupported", () => {
    for (const control of loadCatalog().filter((c) => c.scope === "object")) {
      const file = join(VAP_DIR, `${control.id}.yaml`);
      if (VAP_UNSUPPORTED[control.id]) {
        expect(existsSync(file), `${control.id} is listed as unsupported`).toBe(false);
        continue;
      }
      const [policy, binding] = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS());
      expect(policy.kind).toBe("ValidatingAdmissionPolicy");
      expect(policy.spec.failurePolicy).toBe("Fail");
      for (const v of policy.spec.validations) expect(v.messageExpression.startsWith(`'[${control.id}] ' + (`)).toBe(true);
      expect(binding).toMatchObject({
        kind: "ValidatingAdmissionPolicyBinding",
        spec: { policyName: policy.metadata.name, validationActions: ["Warn", "Audit"] },
      });
    }
  });
});
