import type { K8sObject, Violation } from "../types.js";
import { isBinding, roleRefOf, serviceAccountGroupEntries, serviceAccountSubjectEntries } from "../k8s/rbac.js";
import { refOf } from "../k8s/workloads.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
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
      const add = (messageId: string, path: FieldPath, extra: Record<string, string>) =>
        out.push({
          messageId,
          data: { kind: resource.kind, binding: resource.name, ...extra },
          resource,
          path: [...closestPath(binding, path)],
        });
      const ref = roleRefOf(binding);
      if (!ref.name.startsWith("system:") && !roleExists(binding))
        add("roleRefMissing", ["roleRef"], { roleKind: ref.kind, role: ref.name });
      for (const { index, key: subject } of serviceAccountSubjectEntries(binding)) {
        if (!saKeys.has(subject)) add("serviceAccountMissing", ["subjects", index], { subject });
        if (binding.kind === "ClusterRoleBinding" && !SYSTEM_NAMESPACES.has(subject.split("/")[0] ?? ""))
          add("clusterBindingToAppServiceAccount", ["subjects", index], { subject });
      }
      // A Group subject that contains application ServiceAccounts grants cluster-wide to each of them.
      if (binding.kind === "ClusterRoleBinding") {
        for (const { index, group } of serviceAccountGroupEntries(binding)) {
          if (!SYSTEM_SA_GROUPS.has(group)) add("clusterBindingToAppServiceAccount", ["subjects", index], { subject: group });
        }
      }
    }
    return out;
  },
};
