import type { Violation } from "../types.js";
import { isBinding, roleRefOf, subjectsOf } from "../k8s/rbac.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

const PRIVILEGED_ROLES = new Set(["cluster-admin", "admin", "edit"]);
const SUPERUSER_SUBJECTS = new Set(["system:masters"]);
const PUBLIC_SUBJECTS = new Set(["system:anonymous", "system:unauthenticated", "system:authenticated"]);

export const iamNoPrivilegedBindings: ObjectValidator = {
  id: "iam-no-privileged-bindings",
  scope: "object",
  validate(object) {
    if (!isBinding(object)) return [];
    const resource = refOf(object);
    const out: Violation[] = [];
    const add = (messageId: string, extra: Record<string, string>) =>
      out.push({ messageId, data: { kind: resource.kind, binding: resource.name, ...extra }, resource });
    const roleRef = roleRefOf(object);
    if (roleRef.kind === "ClusterRole" && PRIVILEGED_ROLES.has(roleRef.name)) add("privilegedRole", { role: roleRef.name });
    for (const { name } of subjectsOf(object)) {
      if (typeof name !== "string") continue;
      if (SUPERUSER_SUBJECTS.has(name)) add("superuserSubject", { subject: name });
      if (PUBLIC_SUBJECTS.has(name)) add("publicSubject", { subject: name });
    }
    return out;
  },
};
