import { describe, expect, it } from "vitest";
import { iamWorkloadIdentity } from "../../src/validators/iam-workload-identity.js";
import { itMatchesFixtures, keys, resourcesOf, run } from "./iam-fixtures.js";

const app = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: erlmcp}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: erlmcp}
spec:
  serviceAccountName: app
  containers: [{name: c, image: x}]
`;

const bound = (roleKind: string, bindingKind: string, bindingNs: string, rules: string) => `${app}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${roleKind}
metadata: {name: peers, namespace: erlmcp}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${bindingKind}
metadata: {name: peers, namespace: ${bindingNs}}
roleRef: {kind: ${roleKind}, name: peers}
subjects: [{kind: ServiceAccount, name: app, namespace: erlmcp}]
`;

const READ = `[{apiGroups: [""], resources: [pods], verbs: [list]}]`;

describe("iam-workload-identity validator", () => {
  itMatchesFixtures(iamWorkloadIdentity);

  it("allows a mounted token only for read-only discovery bound in the workload's namespace", () => {
    expect(keys(run(iamWorkloadIdentity, resourcesOf(bound("Role", "RoleBinding", "erlmcp", READ))))).toEqual([]);
    expect(keys(run(iamWorkloadIdentity, resourcesOf(bound("ClusterRole", "RoleBinding", "other", READ))))).toEqual([
      "Pod/erlmcp/app tokenAutomountedOverprivileged",
    ]);
    const urls = `[{nonResourceURLs: [/metrics], verbs: [get]}]`;
    expect(keys(run(iamWorkloadIdentity, resourcesOf(bound("ClusterRole", "RoleBinding", "erlmcp", urls))))).toEqual([
      "Pod/erlmcp/app tokenAutomountedOverprivileged",
    ]);
  });

  it("reports the default ServiceAccount's unneeded token together with the missing name", () => {
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: erlmcp}\nspec: {containers: [{name: c}]}\n`;
    expect(keys(run(iamWorkloadIdentity, resourcesOf(pod)))).toEqual([
      "Pod/erlmcp/p noServiceAccount",
      "Pod/erlmcp/p tokenAutomountedUnneeded",
    ]);
  });
});
