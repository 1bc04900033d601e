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
      "workloadRewrite",
    ]);
    expect(found.find((v) => v.messageId === "escalationVerb")?.data.grants).toBe("bind, escalate, impersonate");
  });

  it("matches `*/<subresource>` and respects API groups", () => {
    const exec = iamNoEscalationVerbs.validate(role([{ apiGroups: [""], resources: ["*/exec"], verbs: ["create"] }]), {});
    expect(exec.map((v) => [v.messageId, v.data.grants])).toEqual([["interactiveAccess", "pods/exec"]]);
    expect(iamNoEscalationVerbs.validate(role([{ apiGroups: ["apps"], resources: ["pods"], verbs: ["create"] }]), {})).toEqual([]);
    expect(iamNoEscalationVerbs.validate(role([{ apiGroups: [""], resources: ["pods/exec"], verbs: [] }]), {})).toEqual([]);
  });

  it("reports update/patch on pods and workload kinds, not on their template-free subresources", () => {
    const grants = (rules: unknown[]) => iamNoEscalationVerbs.validate(role(rules), {}).map((v) => [v.messageId, v.data.grants]);
    expect(grants([{ apiGroups: ["apps"], resources: ["deployments", "deployments/scale"], verbs: ["patch"] }])).toEqual([
      ["workloadRewrite", "deployments"],
    ]);
    expect(grants([{ apiGroups: [""], resources: ["pods"], verbs: ["update"] }])).toEqual([["workloadRewrite", "pods"]]);
    expect(grants([{ apiGroups: ["*"], resources: ["*/scale", "*/status"], verbs: ["update", "patch"] }])).toEqual([]);
    // `extensions` serves no workload kind on supported Kubernetes versions; verbs are case-sensitive.
    expect(grants([{ apiGroups: ["extensions"], resources: ["deployments"], verbs: ["create", "patch"] }])).toEqual([]);
    expect(grants([{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["PATCH", "Update"] }])).toEqual([]);
  });
});
