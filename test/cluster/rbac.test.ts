/**
 * RBAC cross-check: random Roles, ClusterRoles (aggregated ones when the aggregation controller runs),
 * RoleBindings and ClusterRoleBindings with ServiceAccount, `system:serviceaccount:` User and group
 * subjects are loaded into a real API server; for random requests of ServiceAccounts, the answer of the
 * iam controls' RBAC helpers (src/k8s/rbac.ts) over the objects as written plus the server's bootstrap
 * RBAC must equal the API server's own answer (SubjectAccessReview), once the aggregation controller has
 * filled the aggregated ClusterRoles. Any disagreement fails the test.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  aggregatedRules,
  bindingGrantsServiceAccount,
  isBinding,
  roleRefOf,
  ruleAllows,
  type PolicyRule,
  type ResourceRequest,
} from "../../src/k8s/rbac.js";
import type { K8sObject } from "../../src/types.js";
import { clusterTestsEnabled, controllerManagerRuns, useTestCluster, type TestCluster } from "../helpers/cluster.js";

const NAMESPACES = ["rbac-a", "rbac-b"];
const SERVICE_ACCOUNTS = ["rbac-a/sa1", "rbac-a/sa2", "rbac-b/sa1"];
const VERBS = ["get", "list", "create", "delete", "escalate", "bind", "impersonate"];
const GROUPS = ["", "apps", "rbac.authorization.k8s.io"];
const RESOURCES = ["pods", "pods/log", "secrets", "deployments", "roles", "serviceaccounts"];
const NAMES = ["", "x"];
const AGGREGATION_LABEL = "erlmcp-audit-test/aggregate";

interface Query extends ResourceRequest {
  serviceAccount: string;
  /** "" for a cluster-wide request. */
  namespace: string;
}

const ruleArb: fc.Arbitrary<PolicyRule> = fc.record(
  {
    verbs: fc.subarray([...VERBS, "*"], { minLength: 1 }),
    apiGroups: fc.subarray([...GROUPS, "*"], { minLength: 1 }),
    resources: fc.subarray([...RESOURCES, "*", "*/log"], { minLength: 1 }),
    resourceNames: fc.subarray(["x", "y"], { minLength: 1 }),
  },
  { requiredKeys: ["verbs", "apiGroups", "resources"] },
);

const subjectArb = fc.oneof(
  fc.record({ kind: fc.constant("ServiceAccount"), name: fc.constantFrom("sa1", "sa2"), namespace: fc.constantFrom(...NAMESPACES) }),
  fc.record({
    kind: fc.constant("User"),
    name: fc.constantFrom(...SERVICE_ACCOUNTS.map((s) => `system:serviceaccount:${s.replace("/", ":")}`)),
  }),
  fc.record({
    kind: fc.constant("Group"),
    name: fc.constantFrom("system:serviceaccounts", "system:authenticated", ...NAMESPACES.map((n) => `system:serviceaccounts:${n}`)),
  }),
);

/** One RBAC world: roles and bindings named with the run's prefix. */
function worldArb(prefix: string, aggregation: boolean): fc.Arbitrary<K8sObject[]> {
  const labels = fc.constantFrom<Record<string, string>>({}, { [AGGREGATION_LABEL]: "one" }, { [AGGREGATION_LABEL]: "two" });
  const clusterRoles = fc.array(fc.record({ rules: fc.array(ruleArb, { maxLength: 3 }), labels }), { minLength: 1, maxLength: 4 });
  const aggregated = aggregation ? fc.array(fc.constantFrom("one", "two"), { maxLength: 2 }) : fc.constant([]);
  const roles = fc.array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), rules: fc.array(ruleArb, { maxLength: 3 }) }), {
    maxLength: 3,
  });
  const bindings = fc.array(
    fc.record({
      namespace: fc.constantFrom("", ...NAMESPACES),
      role: fc.nat(9),
      toRole: fc.boolean(),
      subjects: fc.array(subjectArb, { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 5 },
  );
  return fc.tuple(clusterRoles, aggregated, roles, bindings).map(([crs, aggs, rs, bs]) => {
    const out: K8sObject[] = [];
    const clusterRoleNames: string[] = [];
    crs.forEach((cr, i) => {
      const name = `${prefix}-cr${i}`;
      clusterRoleNames.push(name);
      out.push({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels: cr.labels }, rules: cr.rules });
    });
    aggs.forEach((value, i) => {
      const name = `${prefix}-agg${i}`;
      clusterRoleNames.push(name);
      out.push({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGGREGATION_LABEL]: value } }] },
        rules: [],
      });
    });
    const roleNames = rs.map((r, i) => ({ namespace: r.namespace, name: `${prefix}-r${i}` }));
    rs.forEach((r, i) =>
      out.push({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: `${prefix}-r${i}`, namespace: r.namespace },
        rules: r.rules,
      }),
    );
    bs.forEach((b, i) => {
      const sameNamespaceRoles = roleNames.filter((r) => r.namespace === b.namespace);
      const toRole = b.namespace !== "" && b.toRole && sameNamespaceRoles.length > 0;
      const roleRef = toRole
        ? { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: sameNamespaceRoles[b.role % sameNamespaceRoles.length]!.name }
        : { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRoleNames[b.role % clusterRoleNames.length]! };
      const subjects = b.subjects.map((s) => (s.kind === "ServiceAccount" ? s : { apiGroup: "rbac.authorization.k8s.io", ...s }));
      out.push(
        b.namespace === ""
          ? {
              apiVersion: "rbac.authorization.k8s.io/v1",
              kind: "ClusterRoleBinding",
              metadata: { name: `${prefix}-crb${i}` },
              roleRef,
              subjects,
            }
          : {
              apiVersion: "rbac.authorization.k8s.io/v1",
              kind: "RoleBinding",
              metadata: { name: `${prefix}-rb${i}`, namespace: b.namespace },
              roleRef,
              subjects,
            },
      );
    });
    return out;
  });
}

const queryArb: fc.Arbitrary<Query> = fc
  .record({
    serviceAccount: fc.constantFrom(...SERVICE_ACCOUNTS),
    namespace: fc.constantFrom("", ...NAMESPACES),
    verb: fc.constantFrom(...VERBS),
    apiGroup: fc.constantFrom(...GROUPS),
    resource: fc.constantFrom(...RESOURCES),
    name: fc.constantFrom(...NAMES),
  })
  .map(({ resource, ...q }) => {
    const [base, subresource = ""] = resource.split("/");
    return { ...q, resource: base!, subresource };
  });

/** The tool's answer: some binding that contains the ServiceAccount grants, through its role's (aggregated) rules, the request. */
function toolAllows(objects: K8sObject[], q: Query): boolean {
  const aggregated = aggregatedRules(objects);
  const roleOf = (binding: K8sObject) => {
    const ref = roleRefOf(binding);
    return objects.find(
      (o) =>
        o.kind === ref.kind &&
        o.metadata?.name === ref.name &&
        (ref.kind === "ClusterRole" || o.metadata?.namespace === binding.metadata?.namespace),
    );
  };
  return objects
    .filter(isBinding)
    .filter((b) => b.kind === "ClusterRoleBinding" || (q.namespace !== "" && b.metadata?.namespace === q.namespace))
    .filter((b) => bindingGrantsServiceAccount(b, q.serviceAccount))
    .some((b) => {
      const role = roleOf(b);
      return role !== undefined && aggregated.rulesOf(role).some((rule) => ruleAllows(rule, q));
    });
}

async function serverAllows(c: TestCluster, q: Query): Promise<boolean> {
  const [namespace, name] = q.serviceAccount.split("/");
  const reply = await c.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: {
      user: `system:serviceaccount:${namespace}:${name}`,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
      resourceAttributes: {
        namespace: q.namespace,
        verb: q.verb,
        group: q.apiGroup,
        resource: q.resource,
        subresource: q.subresource,
        name: q.name,
      },
    },
  });
  if (reply.status !== 201) throw new Error(`SubjectAccessReview failed: ${JSON.stringify(reply.body)}`);
  return reply.body.status.allowed === true;
}

/** Every Role, ClusterRole and binding the server holds (the bootstrap ones included). */
async function rbacObjects(c: TestCluster): Promise<K8sObject[]> {
  const out: K8sObject[] = [];
  for (const [plural, kind] of [
    ["clusterroles", "ClusterRole"],
    ["clusterrolebindings", "ClusterRoleBinding"],
    ["roles", "Role"],
    ["rolebindings", "RoleBinding"],
  ] as const) {
    const reply = await c.request("GET", `/apis/rbac.authorization.k8s.io/v1/${plural}`);
    for (const item of reply.body.items as K8sObject[]) out.push({ ...item, kind, apiVersion: "rbac.authorization.k8s.io/v1" });
  }
  return out;
}

const describeText = (q: Query) =>
  `${q.serviceAccount} ${q.verb} ${q.apiGroup || "core"}/${q.resource}${q.subresource ? `/${q.subresource}` : ""}${q.name ? ` ${q.name}` : ""} in ${q.namespace || "(cluster)"}`;

const enabled = clusterTestsEnabled("test/cluster/rbac.test.ts (RBAC cross-check with SubjectAccessReview)");

describe.runIf(enabled)("who can do what: the iam RBAC helpers agree with the API server's SubjectAccessReview", () => {
  const cluster = useTestCluster();

  it("for random roles, aggregated ClusterRoles, bindings and group subjects", async () => {
    const c = cluster();
    await c.createNamespaces([], NAMESPACES);
    const aggregation = controllerManagerRuns(c, "aggregated ClusterRoles in the RBAC cross-check");
    let run = 0;
    // Not vacuous: some answers are "allowed", some of them only through an aggregated ClusterRole.
    const seen = { queries: 0, allowed: 0, throughAggregation: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => worldArb(`x${run++}`, aggregation)),
        fc.array(queryArb, { minLength: 25, maxLength: 25 }),
        async (world, queries) => {
          for (const o of world) {
            const reply = await c.create(o);
            expect(reply.status, JSON.stringify(reply.body)).toBe(201);
          }
          try {
            // The authorizer's caches and the aggregation controller catch up asynchronously.
            let disagreements: string[] = [];
            const deadline = Date.now() + 15_000;
            do {
              // The tool reads this run's objects as written (aggregated ClusterRoles without rules, as a
              // repository holds them) and everything else (the bootstrap RBAC) as the server holds it.
              const key = (o: K8sObject) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
              const written = new Set(world.map(key));
              const objects = [...(await rbacObjects(c)).filter((o) => !written.has(key(o))), ...world];
              const answers = await Promise.all(queries.map((q) => serverAllows(c, q)));
              disagreements = queries.flatMap((q, i) =>
                toolAllows(objects, q) === answers[i] ? [] : [`${describeText(q)}: tool ${!answers[i]}, API server ${answers[i]}`],
              );
              if (!disagreements.length) {
                const direct = objects.filter((o) => !(o.kind === "ClusterRole" && o.aggregationRule));
                seen.queries += queries.length;
                seen.allowed += answers.filter(Boolean).length;
                seen.throughAggregation += queries.filter((q, i) => answers[i] && !toolAllows(direct, q)).length;
                break;
              }
              await new Promise((resolve) => setTimeout(resolve, 250));
            } while (Date.now() < deadline);
            expect(disagreements, JSON.stringify(world, null, 1)).toEqual([]);
          } finally {
            for (const o of world) await c.request("DELETE", await c.pathOf(o));
          }
        },
      ),
      { numRuns: 20, seed: 16, endOnFailure: true },
    );
    expect(seen.allowed).toBeGreaterThan(seen.queries / 10);
    if (aggregation) expect(seen.throughAggregation).toBeGreaterThan(0);
    console.log(
      `RBAC cross-check: ${seen.queries} SubjectAccessReviews, ${seen.allowed} allowed, ${seen.throughAggregation} only through aggregation`,
    );
  }, 300_000);
});
