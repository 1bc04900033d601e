import type { Violation } from "../types.js";
import { field, isNonResourceUrlWildcard, rulesOf, type PolicyRule } from "../k8s/rbac.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

const MESSAGE_IDS: ReadonlyArray<[keyof PolicyRule, string]> = [
  ["verbs", "wildcardVerb"],
  ["apiGroups", "wildcardApiGroup"],
  ["resources", "wildcardResource"],
  ["nonResourceURLs", "wildcardNonResourceUrl"],
];

/** `*\/sub` covers a subresource of every resource; a URL ending in `*` covers every path with its prefix. */
function isWildcard(name: keyof PolicyRule, value: string): boolean {
  if (value === "*") return true;
  if (name === "resources") return value.startsWith("*/");
  return name === "nonResourceURLs" && isNonResourceUrlWildcard(value);
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
          out.push({ messageId, data: { kind: resource.kind, role: resource.name, rule: i }, resource, path: ["rules", i, name] });
      }
    });
    return out;
  },
};
