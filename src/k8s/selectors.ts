/**
 * Label selector semantics of Kubernetes (metav1.LabelSelector and Service-style maps), mirrored by the
 * selector part of policies/lib/k8s.rego. A selector is read as the API server reads it: `matchLabels`
 * entries are `In` requirements with one value, ANDed with `matchExpressions`. A selector the API server
 * rejects (`In`/`NotIn` without values, `Exists`/`DoesNotExist` with values, an unknown operator, a
 * non-string key or value, a field of the wrong type) selects nothing: the object holding it is never
 * admitted, so it never selects a pod.
 */
import { isRecord } from "../records.js";

export type Labels = Record<string, string>;

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

/** One requirement of a valid selector, `matchLabels` entries included (as `In` with one value). */
export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: readonly string[];
}

const JOB_POD_LABEL_KEYS = [
  "controller-uid",
  "job-name",
  "batch.kubernetes.io/controller-uid",
  "batch.kubernetes.io/job-name",
  "batch.kubernetes.io/job-completion-index",
];

/**
 * Label keys a controller adds to (or overwrites on) the pods it creates, with values a manifest
 * cannot know: a selector that requires a value of one of them selects only some of the pods.
 * Mirrors `controller_pod_label_keys` in policies/lib/k8s.rego.
 */
export const CONTROLLER_POD_LABEL_KEYS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ["pod-template-hash"],
  StatefulSet: ["controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"],
  DaemonSet: ["controller-revision-hash", "pod-template-generation"],
  Job: JOB_POD_LABEL_KEYS,
  CronJob: JOB_POD_LABEL_KEYS,
  Rollout: ["rollouts-pod-template-hash"],
};

function requirementOf(expr: unknown): Requirement | null {
  if (!isRecord(expr) || typeof expr.key !== "string") return null;
  const values = expr.values ?? [];
  if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) return null;
  switch (expr.operator) {
    case "In":
    case "NotIn":
      return values.length > 0 ? { key: expr.key, operator: expr.operator, values } : null;
    case "Exists":
    case "DoesNotExist":
      return values.length === 0 ? { key: expr.key, operator: expr.operator, values } : null;
    default:
      return null;
  }
}

/** The requirements of a metav1.LabelSelector, or null when it is missing or invalid (selects nothing). */
export function selectorRequirements(selector: unknown): Requirement[] | null {
  if (!isRecord(selector)) return null;
  const matchLabels = selector.matchLabels ?? {};
  const matchExpressions = selector.matchExpressions ?? [];
  if (!isRecord(matchLabels) || !Array.isArray(matchExpressions)) return null;
  const out: Requirement[] = [];
  for (const [key, value] of Object.entries(matchLabels)) {
    if (typeof value !== "string") return null;
    out.push({ key, operator: "In", values: [value] });
  }
  for (const expr of matchExpressions) {
    const requirement = requirementOf(expr);
    if (!requirement) return null;
    out.push(requirement);
  }
  return out;
}

function requirementHolds(r: Requirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case "In":
      return present && r.values.includes(labels[r.key] as string);
    case "NotIn":
      return !present || !r.values.includes(labels[r.key] as string);
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
  }
}

/** metav1.LabelSelector: an empty selector `{}` matches everything; a missing or invalid one nothing. */
export function labelSelectorMatches(selector: LabelSelector | unknown, labels: Labels): boolean {
  const requirements = selectorRequirements(selector);
  return requirements !== null && requirements.every((r) => requirementHolds(r, labels));
}

/** Service-style plain map selector: an empty, missing or invalid map selects nothing. */
export function mapSelectorMatches(selector: Labels | unknown, labels: Labels): boolean {
  if (!isRecord(selector)) return false;
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => typeof value === "string" && labels[key] === value);
}

/** Some value can be present under one key: no DoesNotExist, and a value allowed by every In and NotIn. */
function presentSatisfiable(onKey: readonly Requirement[]): boolean {
  if (onKey.some((r) => r.operator === "DoesNotExist")) return false;
  const firstIn = onKey.find((r) => r.operator === "In");
  if (!firstIn) return true; // NotIn lists are finite: a fresh value passes them all.
  const allowed = (v: string) =>
    onKey.every((r) => (r.operator === "In" ? r.values.includes(v) : r.operator === "NotIn" ? !r.values.includes(v) : true));
  return firstIn.values.some(allowed);
}

const absentSatisfiable = (onKey: readonly Requirement[]) => onKey.every((r) => r.operator === "NotIn" || r.operator === "DoesNotExist");

const byKey = (requirements: readonly Requirement[], key: string) => requirements.filter((r) => r.key === key);

/** Some label set satisfies every requirement (keys are independent of each other). */
function satisfiable(requirements: readonly Requirement[]): boolean {
  return [...new Set(requirements.map((r) => r.key))].every((key) => {
    const onKey = byKey(requirements, key);
    return absentSatisfiable(onKey) || presentSatisfiable(onKey);
  });
}

/** Every label set the selector matches has `key: value` (a selector that matches nothing implies anything). */
export function selectorImpliesLabel(selector: unknown, key: string, value: string): boolean {
  const requirements = selectorRequirements(selector);
  return requirements === null || !satisfiable([...requirements, { key, operator: "NotIn", values: [value] }]);
}

/** The pods of a workload: the labels of its pod template plus the keys its controller sets. */
export interface PodsOf {
  kind: string;
  templateLabels: Labels;
}

const controllerKeys = (pods: PodsOf): readonly string[] => CONTROLLER_POD_LABEL_KEYS[pods.kind] ?? [];

/**
 * The selector matches every pod the workload creates, whatever values its controller gives the keys it
 * sets (only `Exists` holds for all of them). Sound for "covers the workload" (PDB, anti-affinity, spread).
 */
export function selectsAllPods(selector: unknown, pods: PodsOf): boolean {
  const requirements = selectorRequirements(selector);
  if (requirements === null) return false;
  const managed = new Set(controllerKeys(pods));
  return requirements.every((r) => (managed.has(r.key) ? r.operator === "Exists" : requirementHolds(r, pods.templateLabels)));
}

/**
 * The selector matches at least one pod the workload may create, for some values of the keys its
 * controller sets. Sound for "overlaps the workload" (a PDB selecting more than one workload).
 */
export function maySelectPods(selector: unknown, pods: PodsOf): boolean {
  const requirements = selectorRequirements(selector);
  if (requirements === null) return false;
  const managed = controllerKeys(pods);
  return (
    requirements.every((r) => managed.includes(r.key) || requirementHolds(r, pods.templateLabels)) &&
    managed.every((key) => presentSatisfiable(byKey(requirements, key)))
  );
}
