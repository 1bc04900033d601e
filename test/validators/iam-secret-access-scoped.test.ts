import { describe, expect, it } from "vitest";
import { iamSecretAccessScoped } from "../../src/validators/iam-secret-access-scoped.js";
import { itMatchesFixtures } from "./iam-fixtures.js";

describe("iam-secret-access-scoped validator", () => {
  itMatchesFixtures(iamSecretAccessScoped);

  it("treats an empty resourceNames list as unscoped", () => {
    const role = {
      kind: "Role",
      metadata: { name: "r", namespace: "erlmcp" },
      rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [], verbs: ["get"] }],
    };
    expect(iamSecretAccessScoped.validate(role, {}).map((v) => v.messageId)).toEqual(["secretGetUnscoped"]);
  });
});
