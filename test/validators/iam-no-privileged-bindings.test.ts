import { describe, expect, it } from "vitest";
import { iamNoPrivilegedBindings } from "../../src/validators/iam-no-privileged-bindings.js";
import { itMatchesFixtures } from "./iam-fixtures.js";

describe("iam-no-privileged-bindings validator", () => {
  itMatchesFixtures(iamNoPrivilegedBindings);

  it("ignores other kinds and bindings without roleRef or subject names", () => {
    expect(iamNoPrivilegedBindings.validate({ kind: "ConfigMap", roleRef: { kind: "ClusterRole", name: "admin" } }, {})).toEqual([]);
    expect(iamNoPrivilegedBindings.validate({ kind: "RoleBinding", subjects: [{ kind: "Group" }, null] }, {})).toEqual([]);
  });
});
