import type { K8sObject, Violation } from "../types.js";
import {
  aggregatedRules,
  field,
  isBinding,
  roleRefOf,
  serviceAccountGroups,
  serviceAccountSubjects,
  type PolicyRule,
} from "../k8s/rbac.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
import { lastByIdentity } from "../k8s/identity.js";
import { isWorkload, podSpec, podSpecPath, refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const READ_ONLY_VERBS = new Set(["get", "list", "watch"]);
const DISCOVERY_RESOURCES = new Set(["pods", "endpoints", "endpointslices"]);
const DISCOVERY_GROUPS = new Set(["", "discovery.k8s.io"]);

const keyOf = (obj: K8sObject) => `${refOf(obj).namespace}/${refOf(obj).name}`;

function readOnlyDiscovery(rule: PolicyRule): boolean {
  return (
    field(rule, "verbs").every((v) => READ_ONLY_VERBS.has(v)) &&
    field(rule, "resources").every((r) => DISCOVERY_RESOURCES.has(r)) &&
    field(rule, "apiGroups").every((g) => DISCOVERY_GROUPS.has(g)) &&
    field(rule, "nonResourceURLs").length === 0
  );
}

export const iamWorkloadIdentity: SetValidator = {
  id: "iam-workload-identity",
  scope: "set",
  validate(resources) {
    const objects = resources.map((r) => r.object);
    const serviceAccounts = objects.filter((o) => o.kind === "ServiceAccount");
    const saKeys = new Set(serviceAccounts.map(keyOf));
    const disabled = new Set(serviceAccounts.filter((sa) => sa.automountServiceAccountToken === false).map(keyOf));
    // Indexes (not scans per workload): bindings by ServiceAccount subject, read-only-ness by role key.
    // Group subjects grant to the ServiceAccounts they contain (all of them, or those of one namespace).
    const boundBy = new Map<string, Set<K8sObject>>();
    const bindTo = (key: string, binding: K8sObject) => boundBy.set(key, (boundBy.get(key) ?? new Set()).add(binding));
    const boundToAll = new Set<K8sObject>();
    for (const binding of objects.filter(isBinding)) {
      for (const sa of serviceAccountSubjects(binding)) bindTo(sa, binding);
      const groups = serviceAccountGroups(binding);
      if (groups.all) boundToAll.add(binding);
      for (const namespace of groups.namespaces) bindTo(`${namespace}/*`, binding);
    }
    const bindingsOf = (sa: string) =>
      new Set([...(boundBy.get(sa) ?? []), ...boundToAll, ...(boundBy.get(`${sa.split("/")[0] ?? ""}/*`) ?? [])]);
    // A ClusterRole is in scope of every binding, a Role of the bindings of its namespace.
    const roleKey = (kind: string, namespace: string, name: string) => `${kind}/${kind === "ClusterRole" ? "" : namespace}/${name}`;
    const readOnlyRoles = new Map<string, boolean>();
    // An aggregated ClusterRole grants the rules of the ClusterRoles its selectors reach in the set.
    const aggregated = aggregatedRules(objects);
    // A roleRef resolves to the role of that identity that exists once the set is applied: the last one.
    for (const role of lastByIdentity(objects)) {
      if (role.kind !== "Role" && role.kind !== "ClusterRole") continue;
      const key = roleKey(role.kind, refOf(role).namespace, refOf(role).name);
      // An aggregated ClusterRole that reaches built-in ClusterRoles holds their rules too (none is read-only discovery).
      const readOnly = !aggregated.reachesBuiltin(role) && aggregated.rulesOf(role).every(readOnlyDiscovery);
      readOnlyRoles.set(key, (readOnlyRoles.get(key) ?? true) && readOnly);
    }
    const readOnlyInNamespace = (binding: K8sObject, namespace: string) => {
      if (binding.kind !== "RoleBinding" || refOf(binding).namespace !== namespace) return false;
      const ref = roleRefOf(binding);
      return readOnlyRoles.get(roleKey(ref.kind, namespace, ref.name)) === true;
    };

    const out: Violation[] = [];
    for (const workload of objects.filter(isWorkload)) {
      const resource = refOf(workload);
      const spec = podSpec(workload);
      const name = typeof spec.serviceAccountName === "string" ? spec.serviceAccountName : "";
      const serviceAccount = `${resource.namespace}/${name || "default"}`;
      // Where the pod names its ServiceAccount, and where it turns the token off (cut back to the pod spec when unset).
      const namePath = [...podSpecPath(workload), "serviceAccountName"];
      const automountPath = [...podSpecPath(workload), "automountServiceAccountToken"];
      const add = (messageId: string, path: FieldPath, extra: Record<string, string> = {}) =>
        out.push({
          messageId,
          data: { kind: resource.kind, workload: resource.name, serviceAccount, ...extra },
          resource,
          path: [...closestPath(workload, path)],
        });

      if (name === "") add("noServiceAccount", namePath);
      else if (name === "default") add("defaultServiceAccount", namePath);
      else if (!saKeys.has(serviceAccount)) add("serviceAccountMissing", namePath);

      const mounted = "automountServiceAccountToken" in spec ? spec.automountServiceAccountToken === true : !disabled.has(serviceAccount);
      if (!mounted) continue;
      const bound = bindingsOf(serviceAccount);
      if (bound.size === 0) add("tokenAutomountedUnneeded", automountPath);
      for (const binding of bound) {
        if (!readOnlyInNamespace(binding, resource.namespace))
          add("tokenAutomountedOverprivileged", automountPath, { binding: refOf(binding).name, role: roleRefOf(binding).name });
      }
    }
    return out;
  },
};
