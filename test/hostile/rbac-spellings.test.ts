/**
 * RBAC grants spelled to slip past the iam controls' reading of roles, planted beside a good Role and audited
 * through the CLI with the Rego (wasm) and TypeScript engines:
 * - `create` on `replicationcontrollers` (core group): the ReplicationController controller runs its pods
 *   as any ServiceAccount of the namespace, like `create` on pods or Deployments;
 * - an aggregated ClusterRole whose `clusterRoleSelectors` match the built-in ClusterRoles
 *   (`kubernetes.io/bootstrapping: rbac-defaults` on every one of them, cluster-admin included; the
 *   aggregate-to-admin and aggregate-to-edit labels of edit, view and system:aggregate-to-*): the
 *   aggregation controller copies their rules in, though none of them is in the audited set. A selector
 *   written with matchExpressions (DoesNotExist on a key they lack) reaches them as well.
 * Each planted role is found, by both engines, and the good Role and a ClusterRole aggregating only
 * aggregate-to-view roles stay silent. For iam-workload-identity, a workload token bound to an aggregated
 * ClusterRole that reaches the built-in aggregate-to-view roles (directly, or through another aggregated
 * ClusterRole of the set) holds their rights, not read-only discovery. For iam-no-privileged-bindings, a
 * binding of a built-in ClusterRole other than cluster-admin, admin and edit that carries escalation grants
 * (system:aggregate-to-edit is edit's rules; the system:controller:* roles create pods or escalate) is found,
 * and a binding of system:discovery or view is not.
 */
import { describe, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree, expectVerdict, failingFindings } from "../helpers/audit-tree.js";

const CONTROLS = "iam-no-escalation-verbs";

const GOOD_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: peer-discovery, namespace: erlmcp}
rules:
  - {apiGroups: [""], resources: [pods, endpoints], verbs: [get, list, watch]}
`;

const AGGREGATED = (name: string, selectors: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
aggregationRule:
  clusterRoleSelectors: ${selectors}
rules: []
`;

const audit = (files: Record<string, string>, controls = CONTROLS) => auditTree(files, controls);

const failing = (report: AuditReport) =>
  failingFindings(report, (f) => `${f.controlId} ${f.resource.kind}/${f.resource.name} ${f.messageId}`);

describe("RBAC grants spelled to dodge iam-no-escalation-verbs are read as the authorizer and the aggregation controller read them", () => {
  it("create on replicationcontrollers, and aggregated ClusterRoles selecting built-in ClusterRoles, are found", async () => {
    expectVerdict(
      await audit({
        "good.yaml": GOOD_ROLE,
        "rc.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: rc-maker, namespace: erlmcp}
rules:
  - {apiGroups: [""], resources: [replicationcontrollers], verbs: [create]}
`,
        "bootstrap.yaml": AGGREGATED("all-defaults", `[{matchLabels: {kubernetes.io/bootstrapping: rbac-defaults}}]`),
        "edit.yaml": AGGREGATED("like-admin", `[{matchLabels: {rbac.authorization.k8s.io/aggregate-to-admin: "true"}}]`),
        "expressions.yaml": AGGREGATED("not-mine", `[{matchExpressions: [{key: example.com/team, operator: DoesNotExist}]}]`),
        "view.yaml": AGGREGATED("like-view", `[{matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}]`),
      }),
      failing,
      [
        "iam-no-escalation-verbs ClusterRole/all-defaults aggregatesBuiltinRole",
        "iam-no-escalation-verbs ClusterRole/like-admin aggregatesBuiltinRole",
        "iam-no-escalation-verbs ClusterRole/not-mine aggregatesBuiltinRole",
        "iam-no-escalation-verbs Role/rc-maker sensitiveCreate",
      ],
    );
  });

  it("the good Role and an aggregation of view-level roles alone pass", async () => {
    expectVerdict(
      await audit({
        "good.yaml": GOOD_ROLE,
        "view.yaml": AGGREGATED("like-view", `[{matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}]`),
        "custom.yaml": AGGREGATED("monitoring", `[{matchLabels: {example.com/aggregate-to-monitoring: "true"}}]`),
      }),
      failing,
      [],
    );
  });

  it("a workload token bound to an aggregation of built-in ClusterRoles is over-privileged, directly or through another aggregation", async () => {
    const workload = (name: string) => `apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: erlmcp}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${name}, namespace: erlmcp}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [{kind: ServiceAccount, name: ${name}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: erlmcp}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      serviceAccountName: ${name}
      containers: [{name: app, image: example/app:1.0}]
`;
    expectVerdict(
      await audit(
        {
          "direct.yaml": workload("direct"),
          "direct-role.yaml": AGGREGATED("direct", `[{matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}]`),
          "nested.yaml": workload("nested"),
          "nested-role.yaml": AGGREGATED("nested", `[{matchLabels: {example.com/aggregate-to-nested: "true"}}]`),
          "inner-role.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: inner, labels: {example.com/aggregate-to-nested: "true"}}
aggregationRule:
  clusterRoleSelectors: [{matchExpressions: [{key: rbac.authorization.k8s.io/aggregate-to-view, operator: Exists}]}]
rules: []
`,
          "good.yaml": workload("discovery"),
          "good-role.yaml": AGGREGATED("discovery", `[{matchLabels: {example.com/aggregate-to-discovery: "true"}}]`),
          "good-source.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader, labels: {example.com/aggregate-to-discovery: "true"}}
rules: [{apiGroups: [""], resources: [pods, endpoints], verbs: [get, list, watch]}]
`,
        },
        "iam-workload-identity",
      ),
      failing,
      [
        "iam-workload-identity Deployment/direct tokenAutomountedOverprivileged",
        "iam-workload-identity Deployment/nested tokenAutomountedOverprivileged",
      ],
    );
  });

  it("bindings of built-in system: ClusterRoles with escalation grants are found, system:discovery and view are not", async () => {
    const binding = (kind: string, name: string, role: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${kind === "RoleBinding" ? ", namespace: erlmcp" : ""}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: erlmcp-devs}]
`;
    expectVerdict(
      await audit(
        {
          "edit-by-another-name.yaml": binding("RoleBinding", "devs-edit", "system:aggregate-to-edit"),
          "aggregator.yaml": binding("ClusterRoleBinding", "devs-aggregator", "system:controller:clusterrole-aggregation-controller"),
          "deployer.yaml": binding("RoleBinding", "devs-deployer", "system:controller:deployment-controller"),
          "discovery.yaml": binding("ClusterRoleBinding", "devs-discovery", "system:discovery"),
          "view.yaml": binding("RoleBinding", "devs-view", "view"),
        },
        "iam-no-privileged-bindings",
      ),
      failing,
      [
        "iam-no-privileged-bindings ClusterRoleBinding/devs-aggregator privilegedRole",
        "iam-no-privileged-bindings RoleBinding/devs-deployer privilegedRole",
        "iam-no-privileged-bindings RoleBinding/devs-edit privilegedRole",
      ],
    );
  });
});
