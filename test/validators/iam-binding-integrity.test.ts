import { describe, expect, it } from "vitest";
import { iamBindingIntegrity } from "../../src/validators/iam-binding-integrity.js";
import { itMatchesFixtures, keys, resourcesOf, run } from "./iam-fixtures.js";

describe("iam-binding-integrity validator", () => {
  itMatchesFixtures(iamBindingIntegrity);

  it("exempts system namespaces from the cluster-binding check and treats a built-in name under kind Role as missing", () => {
    const text = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: ctrl, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ctrl}
roleRef: {kind: ClusterRole, name: system:controller:ctrl}
subjects: [{kind: ServiceAccount, name: ctrl, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: v, namespace: erlmcp}
roleRef: {kind: Role, name: view}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: noref, namespace: erlmcp}
`;
    expect(keys(run(iamBindingIntegrity, resourcesOf(text)))).toEqual([
      "RoleBinding/erlmcp/noref roleRefMissing",
      "RoleBinding/erlmcp/v roleRefMissing",
    ]);
  });
});
