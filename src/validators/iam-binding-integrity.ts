import type { K8sObject, Violation } from "../types.js";
import { isBinding, roleRefOf, serviceAccountGroups, serviceAccountSubjects } from "../k8s/rbac.js";
import { refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const BUILTIN_CLUSTER_ROLES = new Set(["cluster-admin", "admin", "edit", "view"]);
const SYSTEM_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);
const SYSTEM_SA_GROUPS = new Set([...SYSTEM_NAMESPACES].map((ns) => `system:serviceaccounts:${ns}`));

export const iamBindingIntegrity: SetValidator = {
  id: "iam-binding-integrity",
  scope: "set",
  validate(resources) {
    const objects = resources.map((r) => r.object);
    const saKeys = new Set(objects.filter((o) => o.kind === "ServiceAccount").map((o) => `${refOf(o).namespace}/${refOf(o).name}`));
    const roleExists = (binding: K8sObject) => {
      const ref = roleRefOf(binding);
      if (ref.kind === "ClusterRole" && BUILTIN_CLUSTER_ROLES.has(ref.name)) return true;
      return objects.some(
        (r) =>
          r.kind === ref.kind &&
          refOf(r).name === ref.name &&
          (r.kind === "ClusterRole" || (r.kind === "Role" && refOf(r).namespace === refOf(binding).namespace)),
      );
    };

    const out: Violation[] = [];
    for (const binding of objects.filter(isBinding)) {
      const resource = refOf(binding);
      const add = (messageId: string, extra: Record<string, string>) =>
        out.push({ messageId, data: { kind: resource.kind, binding: resource.name, ...extra }, resource });
      const ref = roleRefOf(binding);
      if (!ref.name.startsWith("system:") && !roleExists(binding)) add("roleRefMissing", { roleKind: ref.kind, role: ref.name });
      for (const subject of serviceAccountSubjects(binding)) {
        if (!saKeys.has(subject)) add("serviceAccountMissing", { subject });
        if (binding.kind === "ClusterRoleBinding" && !SYSTEM_NAMESPACES.has(subject.split("/")[0] ?? ""))
          add("clusterBindingToAppServiceAccount", { subject });
      }
      // A Group subject that contains application ServiceAccounts grants cluster-wide to each of them.
      if (binding.kind === "ClusterRoleBinding") {
        for (const group of serviceAccountGroups(binding).groups) {
          if (!SYSTEM_SA_GROUPS.has(group)) add("clusterBindingToAppServiceAccount", { subject: group });
        }
      }
    }
    return out;
  },
};
