/**
 * Who a binding grants to, and what an aggregated ClusterRole grants: TypeScript (src/k8s/rbac.ts) and Rego
 * (policies/lib/rbac.rego, run with the real opa in one batch) against references written here from the
 * Kubernetes documentation ("Using RBAC Authorization": Referring to subjects, Aggregated ClusterRoles):
 * - a ServiceAccount `ns/name` authenticates as user `system:serviceaccount:ns:name` in the groups
 *   `system:serviceaccounts`, `system:serviceaccounts:ns` and `system:authenticated`; a binding applies to
 *   it when a subject is that user, one of those groups, or the ServiceAccount itself (a ServiceAccount
 *   subject without a namespace, or with an empty one, means the binding's namespace);
 * - the aggregation controller sets an aggregated ClusterRole's rules to the rules of every other
 *   ClusterRole its `clusterRoleSelectors` match, and repeats until nothing changes. The reference runs
 *   that loop literally, starting aggregated roles from no rules (their written rules are overwritten).
 * Selectors are drawn with `matchLabels` and `Exists`/`In` expressions; their own semantics are proved in
 * selectors-evaluator.test.ts.
 */
import { spawnSync } from "node:child_process";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregatedRules, bindingGrantsServiceAccount, type PolicyRule } from "../../src/k8s/rbac.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { findTool } from "../../src/tools/find.js";
import type { K8sObject } from "../../src/types.js";

const SUBJECT_RUNS = 3000;
const AGGREGATION_RUNS = 1500;

const NAMESPACES = ["erlmcp", "other", ""];
const SA_NAMES = ["app", "db"];

const subject = fc.oneof(
  fc.record(
    { kind: fc.constant("ServiceAccount"), name: fc.constantFrom(...SA_NAMES), namespace: fc.constantFrom(...NAMESPACES) },
    { requiredKeys: ["kind", "name"] },
  ),
  fc.record({
    kind: fc.constantFrom("User", "Group"),
    name: fc.oneof(
      fc.constantFrom("system:serviceaccounts", "system:authenticated", "system:unauthenticated", "alice", "system:masters"),
      fc.constantFrom(...NAMESPACES).map((ns) => `system:serviceaccounts:${ns}`),
      fc.tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...SA_NAMES)).map(([ns, n]) => `system:serviceaccount:${ns}:${n}`),
    ),
  }),
);
const subjectCase = fc.record({
  binding: fc.record({
    kind: fc.constantFrom("RoleBinding", "ClusterRoleBinding"),
    metadata: fc.record({ name: fc.constant("b"), namespace: fc.constantFrom(...NAMESPACES) }, { requiredKeys: ["name"] }),
    subjects: fc.array(subject, { maxLength: 3 }),
  }),
  serviceAccount: fc.tuple(fc.constantFrom("erlmcp", "other"), fc.constantFrom(...SA_NAMES)).map(([ns, n]) => `${ns}/${n}`),
});

/** Reference: the authorizer's appliesTo for the identity a ServiceAccount token carries. */
function referenceGrants(binding: K8sObject, serviceAccount: string): boolean {
  const [ns, name] = serviceAccount.split("/") as [string, string];
  const user = `system:serviceaccount:${ns}:${name}`;
  const groups = ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"];
  const subjects = (binding.subjects ?? []) as Array<{ kind: string; name: string; namespace?: string }>;
  return subjects.some((s) => {
    if (s.kind === "User") return s.name === user;
    if (s.kind === "Group") return groups.includes(s.name);
    const subjectNamespace = s.namespace ? s.namespace : (binding.metadata?.namespace ?? "");
    return s.kind === "ServiceAccount" && s.name === name && subjectNamespace === ns;
  });
}

const ROLE_NAMES = ["r0", "r1", "r2", "r3", "r4"];
const LABEL_KEYS = ["agg-a", "agg-b"];
const clusterRoleSelector = fc.oneof(
  fc.record({ matchLabels: fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom("x", "y"), { maxKeys: 2 }) }),
  fc.record({
    matchExpressions: fc.array(
      fc.oneof(
        fc.record({ key: fc.constantFrom(...LABEL_KEYS), operator: fc.constant("Exists") }),
        fc.record({
          key: fc.constantFrom(...LABEL_KEYS),
          operator: fc.constant("In"),
          values: fc.uniqueArray(fc.constantFrom("x", "y"), { minLength: 1 }),
        }),
      ),
      { minLength: 1, maxLength: 2 },
    ),
  }),
);
/** A set of ClusterRoles with distinct names, each rule tagged with a unique verb so rule sets compare as sets. */
const roleSet = fc.uniqueArray(fc.constantFrom(...ROLE_NAMES), { minLength: 1, maxLength: 5 }).chain((names) =>
  fc.tuple(
    ...names.map((name) =>
      fc
        .record({
          labels: fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom("x", "y"), { maxKeys: 2 }),
          aggregation: fc.option(fc.array(clusterRoleSelector, { maxLength: 2 }), { nil: undefined }),
          ruleCount: fc.integer({ min: 0, max: 2 }),
        })
        .map(({ labels, aggregation, ruleCount }): K8sObject => ({
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          metadata: { name, labels },
          rules: Array.from({ length: ruleCount }, (_, i) => ({ verbs: [`${name}-${i}`], apiGroups: [""], resources: ["pods"] })),
          ...(aggregation ? { aggregationRule: { clusterRoleSelectors: aggregation } } : {}),
        })),
    ),
  ),
);

function referenceSelects(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  const matchLabels = (selector.matchLabels ?? {}) as Record<string, string>;
  const expressions = (selector.matchExpressions ?? []) as Array<{ key: string; operator: string; values?: string[] }>;
  return (
    Object.entries(matchLabels).every(([k, v]) => labels[k] === v) &&
    expressions.every((e) => (e.operator === "Exists" ? e.key in labels : (e.values ?? []).includes(labels[e.key] as string)))
  );
}

/** Reference: the aggregation controller's loop, until no role changes; rule sets as sorted verb tags. */
function referenceAggregate(roles: K8sObject[]): Record<string, string[]> {
  const tags = (rules: PolicyRule[]) => [...new Set(rules.flatMap((r) => r.verbs ?? []))].sort();
  const current = new Map(roles.map((r) => [r.metadata!.name!, r.aggregationRule ? [] : tags(r.rules as PolicyRule[])]));
  for (let changed = true; changed;) {
    changed = false;
    for (const role of roles.filter((r) => r.aggregationRule)) {
      const selectors = (role.aggregationRule as { clusterRoleSelectors: Record<string, unknown>[] }).clusterRoleSelectors;
      const next = new Set<string>();
      for (const other of roles) {
        if (other.metadata!.name === role.metadata!.name) continue;
        const labels = (other.metadata!.labels ?? {}) as Record<string, string>;
        if (selectors.some((s) => referenceSelects(s, labels))) for (const t of current.get(other.metadata!.name!)!) next.add(t);
      }
      const sorted = [...next].sort();
      if (JSON.stringify(sorted) !== JSON.stringify(current.get(role.metadata!.name!))) {
        current.set(role.metadata!.name!, sorted);
        changed = true;
      }
    }
  }
  return Object.fromEntries(current);
}

function opaEval<T>(query: string, input: unknown): T {
  const data = ["rbac.rego", "k8s.rego", "kinds.rego"].flatMap((f) => ["--data", `policies/lib/${f}`]);
  const run = spawnSync(findTool("opa"), ["eval", "--format", "json", "--stdin-input", ...data, query], {
    cwd: PACKAGE_ROOT,
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`opa eval failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { result: Array<{ bindings: { x: T } }> }).result[0]!.bindings.x;
}

describe(`RBAC subjects (property, ${SUBJECT_RUNS} generated bindings): TypeScript and Rego against the authorizer`, () => {
  const cases = fc.sample(subjectCase, { numRuns: SUBJECT_RUNS, seed: 13 }) as Array<{ binding: K8sObject; serviceAccount: string }>;
  const reference = cases.map((c) => referenceGrants(c.binding, c.serviceAccount));

  it("TypeScript grants to exactly the ServiceAccounts the authorizer does", () => {
    const differ = cases.filter((c, i) => bindingGrantsServiceAccount(c.binding, c.serviceAccount) !== reference[i]);
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("Rego grants to exactly the ServiceAccounts the authorizer does", () => {
    const rego = opaEval<boolean[]>(
      "x := [v | some c in input; v := count([1 | data.lib.rbac.binding_grants_service_account(c.binding, c.serviceAccount)]) > 0]",
      cases,
    );
    expect(rego).toHaveLength(cases.length);
    const differ = cases.filter((_, i) => rego[i] !== reference[i]);
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("generate grants through each kind of subject, and refusals", () => {
    const grantedBy = (kind: string) =>
      cases.filter((c, i) => reference[i] && (c.binding.subjects as Array<{ kind: string }>).every((s) => s.kind === kind)).length;
    expect(grantedBy("ServiceAccount")).toBeGreaterThan(20);
    expect(grantedBy("User")).toBeGreaterThan(5);
    expect(grantedBy("Group")).toBeGreaterThan(20);
    expect(reference.filter((g) => !g).length).toBeGreaterThan(300);
  });
});

describe(`aggregated ClusterRoles (property, ${AGGREGATION_RUNS} generated role sets): TypeScript and Rego against the controller loop`, () => {
  const sets = fc.sample(roleSet, { numRuns: AGGREGATION_RUNS, seed: 13 });
  const reference = sets.map(referenceAggregate);
  const tags = (rules: PolicyRule[]) => [...new Set(rules.flatMap((r) => r.verbs ?? []))].sort();

  it("TypeScript gives every role the rules the controller converges to", () => {
    const ts = sets.map((roles) => {
      const aggregated = aggregatedRules(roles);
      return Object.fromEntries(roles.map((r) => [r.metadata!.name!, tags(aggregated.rulesOf(r))]));
    });
    const differ = sets.flatMap((roles, i) => (isDeepStrictEqual(ts[i], reference[i]) ? [] : [{ roles, ts: ts[i], ref: reference[i] }]));
    expect(differ.slice(0, 2)).toEqual([]);
  });

  it("Rego gives every role the rules the controller converges to", () => {
    const rego = opaEval<Array<Record<string, string[]>>>(
      [
        "x := [{name: tags | some r in roles; name := r.metadata.name;",
        "tags := sort({v | some rule in data.lib.rbac.aggregated_rules(r, g, roles); some v in rule.verbs})} |",
        "some roles in input; g := data.lib.rbac.aggregation_graph(roles)]",
      ].join(" "),
      sets,
    );
    expect(rego).toHaveLength(sets.length);
    const differ = sets.flatMap((roles, i) =>
      isDeepStrictEqual(rego[i], reference[i]) ? [] : [{ roles, rego: rego[i], ref: reference[i] }],
    );
    expect(differ.slice(0, 2)).toEqual([]);
  });

  it("generate aggregation that collects rules, chains through aggregated roles, and cycles", () => {
    const collects = reference.filter((ref, i) => sets[i]!.some((r) => r.aggregationRule && ref[r.metadata!.name!]!.length > 0));
    expect(collects.length).toBeGreaterThan(100);
    const chained = sets.filter((roles) =>
      roles.some((a) => a.aggregationRule && roles.some((b) => b !== a && b.aggregationRule && (b.rules as unknown[]).length > 0)),
    );
    expect(chained.length).toBeGreaterThan(50);
  });
});
