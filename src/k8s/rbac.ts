/** RBAC rule semantics shared by the iam controls (mirrors policies/lib/rbac.rego). */
import type { K8sObject } from "../types.js";

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

export function isRole(obj: K8sObject): boolean {
  return obj.kind === "Role" || obj.kind === "ClusterRole";
}

export function isBinding(obj: K8sObject): boolean {
  return obj.kind === "RoleBinding" || obj.kind === "ClusterRoleBinding";
}

export function rulesOf(obj: K8sObject): PolicyRule[] {
  if (!isRole(obj) || !Array.isArray(obj.rules)) return [];
  return obj.rules.map((rule) => (rule !== null && typeof rule === "object" ? (rule as PolicyRule) : {}));
}

export function field(rule: PolicyRule, name: keyof PolicyRule): string[] {
  const value = rule[name];
  return Array.isArray(value) ? value : [];
}

export function grantsVerb(rule: PolicyRule, verb: string): boolean {
  const verbs = field(rule, "verbs");
  return verbs.includes(verb) || verbs.includes("*");
}

export function grantsAnyVerb(rule: PolicyRule): boolean {
  return field(rule, "verbs").length > 0;
}

export function matchesGroup(rule: PolicyRule, group: string): boolean {
  const groups = field(rule, "apiGroups");
  return groups.includes(group) || groups.includes("*");
}

/** `*` covers every resource; `*\/sub` covers the subresource `sub` of every resource. */
export function matchesResource(rule: PolicyRule, resource: string): boolean {
  const resources = field(rule, "resources");
  if (resources.includes(resource) || resources.includes("*")) return true;
  const parts = resource.split("/");
  return parts.length === 2 && resources.includes(`*/${parts[1]}`);
}

export function subjectsOf(binding: K8sObject): Subject[] {
  const subjects = binding.subjects;
  return Array.isArray(subjects) ? subjects.filter((s): s is Subject => s !== null && typeof s === "object") : [];
}

/** ServiceAccount subjects as "namespace/name" (namespace defaults to the binding's). */
export function serviceAccountSubjects(binding: K8sObject): Set<string> {
  const out = new Set<string>();
  for (const s of subjectsOf(binding)) {
    if (s.kind !== "ServiceAccount" || typeof s.name !== "string") continue;
    out.add(`${s.namespace ?? binding.metadata?.namespace ?? ""}/${s.name}`);
  }
  return out;
}

export function roleRefOf(binding: K8sObject): { kind: string; name: string } {
  const ref = binding.roleRef as { kind?: unknown; name?: unknown } | undefined;
  return {
    kind: typeof ref?.kind === "string" ? ref.kind : "",
    name: typeof ref?.name === "string" ? ref.name : "",
  };
}
