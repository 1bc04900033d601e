import type { Violation } from "../types.js";
import {
  builtinClusterRolesAggregated,
  grantsAnyVerb,
  grantsImpersonation,
  grantsVerb,
  matchesGroup,
  matchesResource,
  rulesOf,
  type PolicyRule,
} from "../k8s/rbac.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

interface Target {
  messageId: string;
  label: "verb" | "resource";
  /** Empty: any verb. */
  verbs: string[];
  group: string;
  resources: string[];
}

const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];

/**
 * Pods and the workload kinds, by API group. `create` runs a pod template (image, any serviceAccountName of the
 * namespace, privileged, hostPath) as its controller's pods; `update`/`patch` rewrites that template, or the image of
 * a running pod's container (the image field is mutable), which then runs as the pod's ServiceAccount. The
 * subresources (`deployments/scale`, `<kind>/status`) change no template and are no workload resource here.
 * `extensions` served no workload kind after Kubernetes 1.15 and the authorizer matches the group literally:
 * a rule of that group grants nothing on `apps` workloads. Mirrors workload_resources in the control's policy.rego.
 */
const WORKLOAD_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  "": ["pods", "replicationcontrollers"],
  apps: ["deployments", "statefulsets", "daemonsets", "replicasets"],
  batch: ["jobs", "cronjobs"],
  "argoproj.io": ["rollouts"],
};

/** The verbs on WORKLOAD_RESOURCES that run code of the holder's choosing, by message id. */
const WORKLOAD_VERBS: Readonly<Record<string, readonly string[]>> = {
  sensitiveCreate: ["create"],
  workloadRewrite: ["update", "patch"],
};

const TARGETS: readonly Target[] = [
  {
    messageId: "escalationVerb",
    label: "verb",
    verbs: ["escalate", "bind"],
    group: "rbac.authorization.k8s.io",
    resources: ["roles", "clusterroles"],
  },
  {
    messageId: "sensitiveCreate",
    label: "resource",
    verbs: ["create"],
    group: "",
    resources: ["serviceaccounts/token", "persistentvolumes"],
  },
  ...Object.entries(WORKLOAD_VERBS).flatMap(([messageId, verbs]) =>
    Object.entries(WORKLOAD_RESOURCES).map(([group, resources]): Target => ({
      messageId,
      label: "resource",
      verbs: [...verbs],
      group,
      resources: [...resources],
    })),
  ),
  {
    messageId: "interactiveAccess",
    label: "resource",
    verbs: [],
    group: "",
    resources: ["pods/exec", "pods/attach", "pods/portforward", "nodes/proxy"],
  },
  {
    messageId: "interactiveAccess",
    label: "resource",
    verbs: ["update", "patch"],
    group: "",
    resources: ["pods/ephemeralcontainers"],
  },
  {
    messageId: "csrApproval",
    label: "resource",
    verbs: ["update", "patch"],
    group: "certificates.k8s.io",
    resources: ["certificatesigningrequests/approval"],
  },
  {
    messageId: "webhookWrite",
    label: "resource",
    verbs: WRITE_VERBS,
    group: "admissionregistration.k8s.io",
    resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"],
  },
];

function grantedVerbs(rule: PolicyRule, verbs: string[]): string[] {
  if (verbs.length > 0) return verbs.filter((verb) => grantsVerb(rule, verb));
  return grantsAnyVerb(rule) ? ["any"] : [];
}

export const iamNoEscalationVerbs: ObjectValidator = {
  id: "iam-no-escalation-verbs",
  scope: "object",
  validate(object) {
    const resource = refOf(object);
    const out: Violation[] = [];
    rulesOf(object).forEach((rule, i) => {
      const hits = new Map<string, Set<string>>();
      // Impersonation is `impersonate` on users, groups, serviceaccounts, uids or userextras/<key>
      // in any API group (the core group and authentication.k8s.io hold them today).
      if (grantsImpersonation(rule)) hits.set("escalationVerb", new Set(["impersonate"]));
      for (const target of TARGETS) {
        if (!matchesGroup(rule, target.group)) continue;
        for (const res of target.resources.filter((r) => matchesResource(rule, r))) {
          for (const verb of grantedVerbs(rule, target.verbs)) {
            const labels = hits.get(target.messageId) ?? new Set<string>();
            labels.add(target.label === "verb" ? verb : res);
            hits.set(target.messageId, labels);
          }
        }
      }
      for (const [messageId, labels] of hits) {
        const grants = [...labels].sort().join(", ");
        // The field of the rule that lists what `grants` names: the verbs for escalationVerb, else the resources.
        const path = ["rules", i, messageId === "escalationVerb" ? "verbs" : "resources"];
        out.push({ messageId, data: { kind: resource.kind, role: resource.name, rule: i, grants }, resource, path });
      }
    });
    // An aggregated ClusterRole that selects built-in ClusterRoles holds their rules (cluster-admin's `*`, edit's exec
    // and create on pods): no manifest of the set carries them, so no rule above is judged for them.
    for (const { index, roles } of builtinClusterRolesAggregated(object)) {
      out.push({
        messageId: "aggregatesBuiltinRole",
        data: { kind: resource.kind, role: resource.name, selector: index, grants: roles.join(", ") },
        resource,
        path: ["aggregationRule", "clusterRoleSelectors", index],
      });
    }
    return out;
  },
};
