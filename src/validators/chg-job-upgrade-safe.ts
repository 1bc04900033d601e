import type { K8sObject, Violation } from "../types.js";
import { closestPath, valueAtPath } from "../k8s/field-path.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

type Tool = "Helm" | "Argo CD" | "Flux";
const TOOLS: readonly Tool[] = ["Helm", "Argo CD", "Flux"];

/** Helm's delete policy names as Argo CD maps them. */
const HELM_POLICIES: Readonly<Record<string, string>> = {
  "before-hook-creation": "BeforeHookCreation",
  "hook-succeeded": "HookSucceeded",
  "hook-failed": "HookFailed",
};

/** A Job created by a controller (a CronJob, `kubectl create job --from`) is in no manifest. */
function controllerOwned(job: K8sObject): boolean {
  const refs = valueAtPath(job, ["metadata", "ownerReferences"]);
  return Array.isArray(refs) && refs.some((r) => r !== null && typeof r === "object" && !Array.isArray(r) && r.controller === true);
}

/** The annotation's value; "" when absent or not a string. */
function annotation(job: K8sObject, key: string): string {
  const value = valueAtPath(job, ["metadata", "annotations", key]);
  return typeof value === "string" ? value : "";
}

/** The comma-separated entries of an annotation, trimmed. */
function entries(job: K8sObject, key: string): Set<string> {
  return new Set(
    annotation(job, key)
      .split(",")
      .map((e) => e.trim())
      .filter((e) => e !== ""),
  );
}

function helmRendered(job: K8sObject): boolean {
  const chart = valueAtPath(job, ["metadata", "labels", "helm.sh/chart"]);
  return (typeof chart === "string" && chart !== "") || valueAtPath(job, ["metadata", "labels", "app.kubernetes.io/managed-by"]) === "Helm";
}

function helmPolicies(job: K8sObject): Set<string> {
  return new Set(
    [...entries(job, "helm.sh/hook-delete-policy")].flatMap((p) => (Object.hasOwn(HELM_POLICIES, p) ? [HELM_POLICIES[p]!] : [])),
  );
}

/** The previous run is gone before the hook is created again (none set: the default, before-hook-creation). */
function deletesPrevious(policies: Set<string>): boolean {
  return policies.size === 0 || policies.has("BeforeHookCreation") || (policies.has("HookSucceeded") && policies.has("HookFailed"));
}

function replacedBy(job: K8sObject, tool: Tool): boolean {
  switch (tool) {
    case "Helm":
      return !helmRendered(job) || (annotation(job, "helm.sh/hook") !== "" && deletesPrevious(helmPolicies(job)));
    case "Argo CD": {
      // Argo CD maps a Helm hook and its delete policies onto its own.
      const hook = annotation(job, "argocd.argoproj.io/hook") !== "" || annotation(job, "helm.sh/hook") !== "";
      const policies = new Set([...entries(job, "argocd.argoproj.io/hook-delete-policy"), ...helmPolicies(job)]);
      const options = entries(job, "argocd.argoproj.io/sync-options");
      return (hook && deletesPrevious(policies)) || (options.has("Replace=true") && options.has("Force=true"));
    }
    case "Flux":
      return annotation(job, "kustomize.toolkit.fluxcd.io/force") === "enabled";
  }
}

/**
 * chg-job-upgrade-safe: a Job applied from manifests is neither declared suspended nor re-applied in
 * place (its pod template is immutable) by Helm, Argo CD or Flux; as policy.rego decides it.
 */
export const chgJobUpgradeSafe: ObjectValidator = {
  id: "chg-job-upgrade-safe",
  scope: "object",
  validate(object) {
    if (controllerOwned(object)) return [];
    const resource = refOf(object);
    const out: Violation[] = [];
    if (valueAtPath(object, ["spec", "suspend"]) === true)
      out.push({ messageId: "suspendedJob", data: { name: resource.name }, resource, path: [...closestPath(object, ["spec", "suspend"])] });
    const missing = TOOLS.filter((tool) => !replacedBy(object, tool));
    if (missing.length > 0)
      out.push({
        messageId: "jobReplacedInPlace",
        data: { name: resource.name, missing: missing.join(", ") },
        resource,
        path: [...closestPath(object, ["metadata", "annotations"])],
      });
    return out;
  },
};
