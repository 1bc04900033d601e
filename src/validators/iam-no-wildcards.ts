import type { Violation } from "../types.js";
import { field, rulesOf, type PolicyRule } from "../k8s/rbac.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

const MESSAGE_IDS: ReadonlyArray<[keyof PolicyRule, string]> = [
  ["verbs", "wildcardVerb"],
  ["apiGroups", "wildcardApiGroup"],
  ["resources", "wildcardResource"],
  ["nonResourceURLs", "wildcardNonResourceUrl"],
];

function isWildcard(name: keyof PolicyRule, value: unknown): boolean {
  return value === "*" || (name === "resources" && typeof value === "string" && value.startsWith("*/"));
}

export const iamNoWildcards: ObjectValidator = {
  id: "iam-no-wildcards",
  scope: "object",
  validate(object) {
    const resource = refOf(object);
    const out: Violation[] = [];
    rulesOf(object).forEach((rule, i) => {
      for (const [name, messageId] of MESSAGE_IDS) {
        if (field(rule, name).some((value) => isWildcard(name, value)))
          out.push({ messageId, data: { kind: resource.kind, role: resource.name, rule: i }, resource });
      }
    });
    return out;
  },
};
