import { describe, expect, it } from "vitest";
import { iamNoEscalationVerbs } from "../../src/validators/iam-no-escalation-verbs.js";
import { itMatchesFixtures } from "./iam-fixtures.js";

const role = (rules: unknown[]) => ({ kind: "ClusterRole", metadata: { name: "r" }, rules });

describe("iam-no-escalation-verbs validator", () => {
  itMatchesFixtures(iamNoEscalationVerbs);

  it("reports every clause for a full wildcard, with sorted grants", () => {
    const found = iamNoEscalationVerbs.validate(role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), {});
    expect(found.map((v) => v.messageId).sort()).toEqual([
      "csrApproval",
      "escalationVerb",
      "interactiveAccess",
      "sensitiveCreate",
      "webhookWrite",
    ]);
    expect(found.find((v) => v.messageId === "escalationVerb")?.data.grants).toBe("bind, escalate, impersonate");
  });

  it("matches `*/<subresource>` and respects API groups", () => {
    const exec = iamNoEscalationVerbs.validate(role([{ apiGroups: [""], resources: ["*/exec"], verbs: ["create"] }]), {});
    expect(exec.map((v) => [v.messageId, v.data.grants])).toEqual([["interactiveAccess", "pods/exec"]]);
    expect(iamNoEscalationVerbs.validate(role([{ apiGroups: ["apps"], resources: ["pods"], verbs: ["create"] }]), {})).toEqual([]);
    expect(iamNoEscalationVerbs.validate(role([{ apiGroups: [""], resources: ["pods/exec"], verbs: [] }]), {})).toEqual([]);
  });
});
