import type { Violation } from "../types.js";
import { BUILTIN_PRIVILEGED_CLUSTER_ROLES, isBinding, roleRefOf, subjectEntries } from "../k8s/rbac.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

const SUPERUSER_SUBJECTS = new Set(["system:masters"]);
const PUBLIC_SUBJECTS = new Set(["system:anonymous", "system:unauthenticated", "system:authenticated"]);

export const iamNoPrivilegedBindings: ObjectValidator = {
  id: "iam-no-privileged-bindings",
  scope: "object",
  validate(object) {
    if (!isBinding(object)) return [];
    const resource = refOf(object);
    const out: Violation[] = [];
    const add = (messageId: string, path: Violation["path"], extra: Record<string, string>) =>
      out.push({ messageId, data: { kind: resource.kind, binding: resource.name, ...extra }, resource, path });
    const roleRef = roleRefOf(object);
    if (roleRef.kind === "ClusterRole" && BUILTIN_PRIVILEGED_CLUSTER_ROLES.has(roleRef.name))
      add("privilegedRole", ["roleRef", "name"], { role: roleRef.name });
    for (const { index, subject } of subjectEntries(object)) {
      const { name } = subject;
      if (typeof name !== "string") continue;
      if (SUPERUSER_SUBJECTS.has(name)) add("superuserSubject", ["subjects", index], { subject: name });
      if (PUBLIC_SUBJECTS.has(name)) add("publicSubject", ["subjects", index], { subject: name });
    }
    return out;
  },
};
