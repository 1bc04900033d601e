/**
 * The built-in ClusterRoles iam-no-escalation-verbs assumes an aggregationRule selector can reach
 * (BUILTIN_CLUSTER_ROLES in src/k8s/rbac.ts, builtin_cluster_roles in policies/lib/rbac.rego) against the
 * bootstrap RBAC of a real kube-apiserver, once the aggregation controller has filled admin, edit and view:
 * every built-in ClusterRole whose rules the control flags carries exactly one of the label sets the control
 * knows (so a selector reaches it exactly when the control says so), and each known label set is carried by
 * a built-in ClusterRole the control flags; the label sets of all built-in ClusterRoles are
 * BUILTIN_CLUSTER_ROLE_LABEL_SETS (iam-workload-identity); the built-in ClusterRoles with grants those
 * controls report are BUILTIN_PRIVILEGED_CLUSTER_ROLES (iam-no-privileged-bindings). An aggregated ClusterRole selecting cluster-admin's labels is
 * filled with its `*` rule.
 */
import { describe, expect, it } from "vitest";
import { BUILTIN_CLUSTER_ROLE_LABEL_SETS, BUILTIN_CLUSTER_ROLES, BUILTIN_PRIVILEGED_CLUSTER_ROLES } from "../../src/k8s/rbac.js";
import type { K8sObject } from "../../src/types.js";
import { iamNoEscalationVerbs } from "../../src/validators/iam-no-escalation-verbs.js";
import { iamSecretAccessScoped } from "../../src/validators/iam-secret-access-scoped.js";
import { clusterTestsEnabled, controllerManagerRuns, useTestCluster } from "../helpers/cluster.js";

const enabled = clusterTestsEnabled("test/cluster/rbac-builtin-roles.test.ts (built-in ClusterRoles an aggregationRule reaches)");

const labelKey = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

describe.runIf(enabled)("the built-in ClusterRoles with escalation grants carry the labels iam-no-escalation-verbs knows", () => {
  const cluster = useTestCluster();

  it("for the bootstrap RBAC of kube-apiserver", async () => {
    const c = cluster();
    if (!controllerManagerRuns(c, "the aggregated built-in ClusterRoles (admin, edit, view)")) return;
    const deadline = Date.now() + 30_000;
    let roles: K8sObject[] = [];
    // admin, edit and view are aggregated: wait for the controller to fill them.
    do {
      const reply = await c.request("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles");
      roles = (reply.body.items as K8sObject[]).map((r) => ({ ...r, kind: "ClusterRole", apiVersion: "rbac.authorization.k8s.io/v1" }));
      const filled = ["admin", "edit", "view"].every(
        (n) => (roles.find((r) => r.metadata?.name === n)?.rules as unknown[] | undefined)?.length,
      );
      if (filled) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < deadline);
    const known = new Set(BUILTIN_CLUSTER_ROLES.map((b) => labelKey(b.labels)));
    const builtin = roles.filter((r) => r.metadata?.labels?.["kubernetes.io/bootstrapping"] === "rbac-defaults");
    const flagged = builtin.filter((r) => iamNoEscalationVerbs.validate(r, {}).length > 0);
    expect(flagged.map((r) => r.metadata?.name)).toEqual(
      expect.arrayContaining(["cluster-admin", "admin", "edit", "system:aggregate-to-edit"]),
    );
    const unknown = flagged
      .filter((r) => !known.has(labelKey(r.metadata?.labels ?? {})))
      .map((r) => `${r.metadata?.name} ${labelKey(r.metadata?.labels ?? {})}`);
    expect(unknown).toEqual([]);
    const carried = new Set(flagged.map((r) => labelKey(r.metadata?.labels ?? {})));
    expect(BUILTIN_CLUSTER_ROLES.filter((b) => !carried.has(labelKey(b.labels))).map((b) => b.name)).toEqual([]);

    // Every built-in ClusterRole carries one of the label sets iam-workload-identity knows (BUILTIN_CLUSTER_ROLE_LABEL_SETS),
    // and each of them is carried: a selector reaches a built-in ClusterRole exactly when it matches one of them.
    const labelSets = new Set(builtin.map((r) => labelKey(r.metadata?.labels ?? {})));
    expect([...labelSets].sort()).toEqual(BUILTIN_CLUSTER_ROLE_LABEL_SETS.map(labelKey).sort());

    // iam-no-privileged-bindings: the built-in ClusterRoles whose rules iam-no-escalation-verbs or
    // iam-secret-access-scoped report are exactly BUILTIN_PRIVILEGED_CLUSTER_ROLES.
    const privileged = builtin
      .filter((r) =>
        [iamNoEscalationVerbs, iamSecretAccessScoped].some((v) => v.validate(r, {}).some((f) => f.messageId !== "aggregatesBuiltinRole")),
      )
      .map((r) => r.metadata?.name ?? "")
      .sort();
    expect(privileged).toEqual([...BUILTIN_PRIVILEGED_CLUSTER_ROLES].sort());

    // The aggregation controller copies cluster-admin's rules into a ClusterRole selecting its labels.
    const aggregated: K8sObject = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "erlmcp-audit-test-all-defaults" },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: BUILTIN_CLUSTER_ROLES[0]!.labels }] },
    };
    expect((await c.create(aggregated)).status).toBe(201);
    let rules: Array<{ verbs?: string[]; resources?: string[] }> = [];
    const until = Date.now() + 15_000;
    do {
      rules = (await c.request("GET", await c.pathOf(aggregated))).body.rules ?? [];
      if (rules.some((r) => r.verbs?.includes("*") && r.resources?.includes("*"))) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < until);
    expect(rules.some((r) => r.verbs?.includes("*") && r.resources?.includes("*"))).toBe(true);
  }, 120_000);
});
