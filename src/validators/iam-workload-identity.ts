import type { K8sObject, Violation } from "../types.js";
import { field, isBinding, roleRefOf, rulesOf, serviceAccountSubjects, type PolicyRule } from "../k8s/rbac.js";
import { isWorkload, podSpec, refOf } from "../k8s/workloads.js";
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
    const bindings = objects.filter(isBinding);

    const rolesOf = (binding: K8sObject) => {
      const ref = roleRefOf(binding);
      return objects.filter(
        (r) =>
          r.kind === ref.kind &&
          refOf(r).name === ref.name &&
          (r.kind === "ClusterRole" || (r.kind === "Role" && refOf(r).namespace === refOf(binding).namespace)),
      );
    };
    const readOnlyInNamespace = (binding: K8sObject, namespace: string) => {
      if (binding.kind !== "RoleBinding" || refOf(binding).namespace !== namespace) return false;
      const roles = rolesOf(binding);
      return roles.length > 0 && roles.every((role) => rulesOf(role).every(readOnlyDiscovery));
    };

    const out: Violation[] = [];
    for (const workload of objects.filter(isWorkload)) {
      const resource = refOf(workload);
      const spec = podSpec(workload);
      const name = typeof spec.serviceAccountName === "string" ? spec.serviceAccountName : "";
      const serviceAccount = `${resource.namespace}/${name || "default"}`;
      const add = (messageId: string, extra: Record<string, string> = {}) =>
        out.push({ messageId, data: { kind: resource.kind, workload: resource.name, serviceAccount, ...extra }, resource });

      if (name === "") add("noServiceAccount");
      else if (name === "default") add("defaultServiceAccount");
      else if (!saKeys.has(serviceAccount)) add("serviceAccountMissing");

      const saDisables = serviceAccounts.some((sa) => keyOf(sa) === serviceAccount && sa.automountServiceAccountToken === false);
      const mounted = "automountServiceAccountToken" in spec ? spec.automountServiceAccountToken === true : !saDisables;
      if (!mounted) continue;
      const bound = bindings.filter((b) => serviceAccountSubjects(b).has(serviceAccount));
      if (bound.length === 0) add("tokenAutomountedUnneeded");
      for (const binding of bound) {
        if (!readOnlyInNamespace(binding, resource.namespace))
          add("tokenAutomountedOverprivileged", { binding: refOf(binding).name, role: roleRefOf(binding).name });
      }
    }
    return out;
  },
};
