/**
 * RBAC as the Kubernetes authorizer reads it, shared by the iam controls (mirrors policies/lib/rbac.rego):
 * rule matching (k8s.io/kubernetes pkg/apis/rbac/v1 evaluation helpers), aggregated ClusterRoles and the
 * ServiceAccounts a subject (ServiceAccount, `system:serviceaccount:<ns>:<name>` User, or Group) contains.
 */
import type { K8sObject } from "../types.js";
import { lastByIdentity } from "./identity.js";
import { labelSelectorMatches, type LabelSelector, type Labels } from "./selectors.js";

/** One entry of a Role/ClusterRole `rules` list. */
export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** One entry of a binding's `subjects` list. */
export interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** A request on an API resource, as the authorizer receives it (subresource and name may be empty). */
export interface ResourceRequest {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
}

/** A request on a non-resource URL path (e.g. `/healthz`). */
export interface NonResourceRequest {
  verb: string;
  path: string;
}

/** True for Role and ClusterRole. */
export function isRole(obj: K8sObject): boolean {
  return obj.kind === "Role" || obj.kind === "ClusterRole";
}

/** True for RoleBinding and ClusterRoleBinding. */
export function isBinding(obj: K8sObject): boolean {
  return obj.kind === "RoleBinding" || obj.kind === "ClusterRoleBinding";
}

/** The rules written in a Role/ClusterRole (not the aggregated ones: see {@link AggregatedRules}). */
export function rulesOf(obj: K8sObject): PolicyRule[] {
  if (!isRole(obj) || !Array.isArray(obj.rules)) return [];
  return obj.rules.map((rule) => (rule !== null && typeof rule === "object" ? (rule as PolicyRule) : {}));
}

/** A list field of a rule; anything but an array reads as empty. */
export function field(rule: PolicyRule, name: keyof PolicyRule): string[] {
  const value = rule[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The rule allows `verb` (named or `*`). */
export function grantsVerb(rule: PolicyRule, verb: string): boolean {
  const verbs = field(rule, "verbs");
  return verbs.includes(verb) || verbs.includes("*");
}

/** The rule allows at least one verb. */
export function grantsAnyVerb(rule: PolicyRule): boolean {
  return field(rule, "verbs").length > 0;
}

/** The rule covers API group `group` (named or `*`). */
export function matchesGroup(rule: PolicyRule, group: string): boolean {
  const groups = field(rule, "apiGroups");
  return groups.includes(group) || groups.includes("*");
}

/**
 * The rule covers `resource` ("pods" or "pods/exec"): `*` covers everything, `*\/sub` the subresource
 * `sub` of every resource. `pods/*` is no wildcard for the authorizer: it covers nothing that exists.
 */
export function matchesResource(rule: PolicyRule, resource: string): boolean {
  const resources = field(rule, "resources");
  if (resources.includes(resource) || resources.includes("*")) return true;
  const slash = resource.indexOf("/");
  return slash > 0 && resources.includes(`*${resource.slice(slash)}`);
}

/** The rule covers object `name`: no `resourceNames` means every name (and requests without a name). */
export function matchesResourceName(rule: PolicyRule, name: string): boolean {
  const names = field(rule, "resourceNames");
  return names.length === 0 || names.includes(name);
}

/** The rule covers the non-resource URL `path`: `*`, the exact path, or a prefix written with a trailing `*`. */
export function matchesNonResourceUrl(rule: PolicyRule, path: string): boolean {
  return field(rule, "nonResourceURLs").some(
    (url) => url === "*" || url === path || (url.endsWith("*") && path.startsWith(url.replace(/\*+$/, ""))),
  );
}

/** A `nonResourceURLs` entry that covers more than one path (`*`, `/apis/*`). */
export function isNonResourceUrlWildcard(url: string): boolean {
  return url.endsWith("*");
}

/** Whether the rule allows a request, exactly as the RBAC authorizer decides (RuleAllows). */
export function ruleAllows(rule: PolicyRule, request: ResourceRequest | NonResourceRequest): boolean {
  if (!grantsVerb(rule, request.verb)) return false;
  if ("path" in request) return matchesNonResourceUrl(rule, request.path);
  const combined = request.subresource === "" ? request.resource : `${request.resource}/${request.subresource}`;
  return matchesGroup(rule, request.apiGroup) && matchesResource(rule, combined) && matchesResourceName(rule, request.name);
}

const IMPERSONATION_RESOURCES = new Set(["*", "users", "groups", "serviceaccounts", "uids"]);

/**
 * The rule lets its holder impersonate: `impersonate` on users, groups, serviceaccounts, uids or
 * userextras/<key> (directly, by `*` or by `*\/<key>`) in any API group, whichever group the rule names.
 */
export function grantsImpersonation(rule: PolicyRule): boolean {
  return (
    grantsVerb(rule, "impersonate") &&
    field(rule, "apiGroups").length > 0 &&
    field(rule, "resources").some((r) => IMPERSONATION_RESOURCES.has(r) || r.startsWith("userextras/") || r.startsWith("*/"))
  );
}

/** A binding's subjects (non-object entries dropped). */
export function subjectsOf(binding: K8sObject): Subject[] {
  return subjectEntries(binding).map(({ subject }) => subject);
}

/** A binding's subjects with their index in `subjects` (non-object entries dropped, indexes kept): the subject a finding points at. */
export function subjectEntries(binding: K8sObject): Array<{ index: number; subject: Subject }> {
  const subjects = binding.subjects;
  if (!Array.isArray(subjects)) return [];
  return subjects.flatMap((subject, index) =>
    subject !== null && typeof subject === "object" ? [{ index, subject: subject as Subject }] : [],
  );
}

const SA_USER_PREFIX = "system:serviceaccount:";
const SA_GROUP = "system:serviceaccounts";

/**
 * ServiceAccounts named one by one, as "namespace/name": `ServiceAccount` subjects (an unset or empty namespace
 * defaults to the binding's) and `User` subjects spelled `system:serviceaccount:<ns>:<name>` (the name a token authenticates as).
 */
export function serviceAccountSubjects(binding: K8sObject): Set<string> {
  return new Set(serviceAccountSubjectEntries(binding).map(({ key }) => key));
}

/** The ServiceAccounts of {@link serviceAccountSubjects}, each with the index of the subject naming it. */
export function serviceAccountSubjectEntries(binding: K8sObject): Array<{ index: number; key: string }> {
  const out: Array<{ index: number; key: string }> = [];
  for (const { index, subject: s } of subjectEntries(binding)) {
    if (typeof s.name !== "string") continue;
    if (s.kind === "ServiceAccount") out.push({ index, key: `${s.namespace || binding.metadata?.namespace || ""}/${s.name}` });
    if (s.kind === "User" && s.name.startsWith(SA_USER_PREFIX)) {
      const parts = s.name.slice(SA_USER_PREFIX.length).split(":");
      if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") out.push({ index, key: `${parts[0]}/${parts[1]}` });
    }
  }
  return out;
}

/** What a binding's Group subjects grant to: every ServiceAccount, or those of the listed namespaces. */
export interface ServiceAccountGroupGrant {
  /** `system:serviceaccounts` or `system:authenticated`: every ServiceAccount of the cluster. */
  all: boolean;
  /** `system:serviceaccounts:<ns>`: every ServiceAccount of `<ns>`. */
  namespaces: Set<string>;
  /** The group names that grant, for findings. */
  groups: string[];
}

/** The ServiceAccounts a binding's Group subjects contain (`system:unauthenticated` contains none). */
export function serviceAccountGroups(binding: K8sObject): ServiceAccountGroupGrant {
  const grant: ServiceAccountGroupGrant = { all: false, namespaces: new Set(), groups: [] };
  for (const { group } of serviceAccountGroupEntries(binding)) {
    if (group === SA_GROUP || group === "system:authenticated") grant.all = true;
    else grant.namespaces.add(group.slice(SA_GROUP.length + 1));
    grant.groups.push(group);
  }
  return grant;
}

/** The Group subjects that contain ServiceAccounts, each with its index in `subjects`. */
export function serviceAccountGroupEntries(binding: K8sObject): Array<{ index: number; group: string }> {
  const out: Array<{ index: number; group: string }> = [];
  for (const { index, subject: s } of subjectEntries(binding)) {
    if (s.kind !== "Group" || typeof s.name !== "string") continue;
    const all = s.name === SA_GROUP || s.name === "system:authenticated";
    if (all || (s.name.startsWith(`${SA_GROUP}:`) && s.name.length > SA_GROUP.length + 1)) out.push({ index, group: s.name });
  }
  return out;
}

/** The binding grants its role to ServiceAccount "namespace/name", by name or through a group. */
export function bindingGrantsServiceAccount(binding: K8sObject, serviceAccount: string): boolean {
  if (serviceAccountSubjects(binding).has(serviceAccount)) return true;
  const groups = serviceAccountGroups(binding);
  return groups.all || groups.namespaces.has(serviceAccount.split("/")[0] ?? "");
}

/** A binding's `roleRef` kind and name ("" when missing). */
export function roleRefOf(binding: K8sObject): { kind: string; name: string } {
  const ref = binding.roleRef as { kind?: unknown; name?: unknown } | undefined;
  return {
    kind: typeof ref?.kind === "string" ? ref.kind : "",
    name: typeof ref?.name === "string" ? ref.name : "",
  };
}

/** A ClusterRole whose rules the aggregation controller writes (it has an `aggregationRule`). */
export function isAggregated(obj: K8sObject): boolean {
  const rule = obj.aggregationRule;
  return obj.kind === "ClusterRole" && rule !== null && typeof rule === "object";
}

function clusterRoleSelectors(obj: K8sObject): LabelSelector[] {
  const selectors = (obj.aggregationRule as { clusterRoleSelectors?: unknown } | undefined)?.clusterRoleSelectors;
  return Array.isArray(selectors) ? selectors.filter((s): s is LabelSelector => s !== null && typeof s === "object") : [];
}

function labelsOf(obj: K8sObject): Labels {
  const labels = obj.metadata?.labels;
  return labels !== null && typeof labels === "object" ? (labels as Labels) : {};
}

/**
 * The labels of the built-in ClusterRoles that carry escalation grants (bootstrap policy of kube-apiserver: every
 * built-in ClusterRole is labelled `kubernetes.io/bootstrapping: rbac-defaults`), by the role a finding names:
 * cluster-admin (and admin, and the system:controller:* roles) carry only that label; edit and
 * system:aggregate-to-admin add `aggregate-to-admin`; view and system:aggregate-to-edit (exec, create pods,
 * impersonate ServiceAccounts) add `aggregate-to-edit`. The `aggregate-to-view` roles carry no escalation grant.
 * Mirrors builtin_cluster_roles in policies/lib/rbac.rego.
 */
export const BUILTIN_CLUSTER_ROLES: ReadonlyArray<{ name: string; labels: Labels }> = [
  { name: "cluster-admin", labels: { "kubernetes.io/bootstrapping": "rbac-defaults" } },
  {
    name: "edit",
    labels: { "kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-admin": "true" },
  },
  {
    name: "system:aggregate-to-edit",
    labels: { "kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
  },
];

/**
 * Every label set a built-in ClusterRole carries (bootstrap policy of kube-apiserver): an aggregation selector
 * that matches one of them collects the rules of a ClusterRole no manifest carries. Mirrors
 * builtin_cluster_role_label_sets in policies/lib/rbac.rego.
 */
export const BUILTIN_CLUSTER_ROLE_LABEL_SETS: readonly Labels[] = [
  ...BUILTIN_CLUSTER_ROLES.map((b) => b.labels),
  { "kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-view": "true" },
];

/** Some `clusterRoleSelectors` entry of an aggregated ClusterRole matches a built-in ClusterRole. */
function selectsBuiltinClusterRole(obj: K8sObject): boolean {
  return (
    isAggregated(obj) &&
    clusterRoleSelectors(obj).some((s) => BUILTIN_CLUSTER_ROLE_LABEL_SETS.some((labels) => labelSelectorMatches(s, labels)))
  );
}

/**
 * The built-in ClusterRoles (of {@link BUILTIN_CLUSTER_ROLES}) each `clusterRoleSelectors` entry of an aggregated
 * ClusterRole matches, with the entry's index: the aggregation controller copies their rules in, though no
 * manifest of the set carries them. Entries that match none are left out.
 */
export function builtinClusterRolesAggregated(obj: K8sObject): Array<{ index: number; roles: string[] }> {
  if (!isAggregated(obj)) return [];
  const selectors = (obj.aggregationRule as { clusterRoleSelectors?: unknown }).clusterRoleSelectors;
  if (!Array.isArray(selectors)) return [];
  return selectors.flatMap((selector, index) => {
    const roles = BUILTIN_CLUSTER_ROLES.filter((b) => labelSelectorMatches(selector, b.labels)).map((b) => b.name);
    return roles.length > 0 ? [{ index, roles }] : [];
  });
}

/**
 * The built-in ClusterRoles (bootstrap policy of kube-apiserver v1.34, aggregated ones as the aggregation controller
 * fills them) whose rules iam-no-escalation-verbs or iam-secret-access-scoped would report: binding one hands out
 * those grants, though no manifest of the set carries its rules. test/cluster/rbac-builtin-roles.test.ts checks the
 * list against a real API server. Mirrors builtin_privileged_cluster_roles in policies/lib/rbac.rego.
 */
export const BUILTIN_PRIVILEGED_CLUSTER_ROLES: ReadonlySet<string> = new Set([
  "cluster-admin",
  "admin",
  "edit",
  "system:aggregate-to-edit",
  "system:controller:certificate-controller",
  "system:controller:clusterrole-aggregation-controller",
  "system:controller:cronjob-controller",
  "system:controller:daemon-set-controller",
  "system:controller:deployment-controller",
  "system:controller:generic-garbage-collector",
  "system:controller:job-controller",
  "system:controller:namespace-controller",
  "system:controller:persistent-volume-binder",
  "system:controller:replicaset-controller",
  "system:controller:replication-controller",
  "system:controller:resourcequota-controller",
  "system:controller:statefulset-controller",
  "system:kube-controller-manager",
  "system:kubelet-api-admin",
  "system:node",
  "system:persistent-volume-provisioner",
]);

/** Rules of the roles of a set as the authorizer uses them. */
export interface AggregatedRules {
  /** The rules a Role/ClusterRole of the set grants: for an aggregated ClusterRole, the union of its sources. */
  rulesOf(role: K8sObject): PolicyRule[];
  /**
   * The aggregated ClusterRole (or an aggregated ClusterRole of the set it reaches) selects built-in ClusterRoles:
   * it also holds rules {@link AggregatedRules.rulesOf} cannot list, as no manifest of the set carries them.
   */
  reachesBuiltin(role: K8sObject): boolean;
}

/**
 * The rules of the set's roles once the aggregation controller has run: an aggregated ClusterRole has the union
 * of the rules of every other ClusterRole its `clusterRoleSelectors` match, transitively (its own written
 * `rules` are overwritten); other roles keep their rules. Of two ClusterRoles of one name, only the last one is
 * a source, and an aggregated ClusterRole reaches what the last one of its name selects (lastByIdentity).
 */
export function aggregatedRules(objects: readonly K8sObject[]): AggregatedRules {
  const clusterRoles = lastByIdentity(objects).filter((o) => o.kind === "ClusterRole");
  const byName = new Map(clusterRoles.map((c) => [c.metadata?.name, c]));
  const sources = (role: K8sObject) => {
    const name = role.metadata?.name;
    // The selectors of the ClusterRole of this name that exists (an earlier copy's are overwritten).
    const current = byName.get(name) ?? role;
    const selectors = isAggregated(current) ? clusterRoleSelectors(current) : [];
    return clusterRoles.filter((c) => c.metadata?.name !== name && selectors.some((s) => labelSelectorMatches(s, labelsOf(c))));
  };
  const cache = new Map<K8sObject, { rules: PolicyRule[]; builtin: boolean }>();
  const resolve = (role: K8sObject): { rules: PolicyRule[]; builtin: boolean } => {
    const known = cache.get(role);
    if (known) return known;
    if (!isAggregated(role)) return { rules: rulesOf(role), builtin: false };
    const seen = new Set<K8sObject>([role]);
    const queue = [role];
    const rules: PolicyRule[] = [];
    let builtin = false;
    while (queue.length > 0) {
      const current = queue.shift() as K8sObject;
      // The selectors of the ClusterRole of this name that exists (an earlier copy's are overwritten).
      builtin ||= selectsBuiltinClusterRole(byName.get(current.metadata?.name) ?? current);
      for (const source of sources(current)) {
        if (seen.has(source)) continue;
        seen.add(source);
        if (isAggregated(source)) queue.push(source);
        else rules.push(...rulesOf(source));
      }
    }
    const result = { rules, builtin };
    cache.set(role, result);
    return result;
  };
  return { rulesOf: (role) => resolve(role).rules, reachesBuiltin: (role) => resolve(role).builtin };
}
