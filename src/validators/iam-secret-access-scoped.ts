import type { Violation } from "../types.js";
import { field, grantsVerb, matchesGroup, matchesResource, rulesOf } from "../k8s/rbac.js";
import { refOf } from "../k8s/workloads.js";
import { closestPath } from "../k8s/field-path.js";
import type { ObjectValidator } from "./types.js";

export const iamSecretAccessScoped: ObjectValidator = {
  id: "iam-secret-access-scoped",
  scope: "object",
  validate(object) {
    const resource = refOf(object);
    const out: Violation[] = [];
    rulesOf(object).forEach((rule, i) => {
      if (!matchesGroup(rule, "") || !matchesResource(rule, "secrets")) return;
      const data = { kind: resource.kind, role: resource.name, rule: i };
      if (grantsVerb(rule, "list") || grantsVerb(rule, "watch"))
        out.push({ messageId: "secretListWatch", data, resource, path: ["rules", i, "verbs"] });
      if (grantsVerb(rule, "get") && field(rule, "resourceNames").length === 0)
        // Where the resourceNames go (cut back to the rule when it has none).
        out.push({ messageId: "secretGetUnscoped", data, resource, path: [...closestPath(object, ["rules", i, "resourceNames"])] });
    });
    return out;
  },
};
