/**
 * Which objects a control evaluates: the one matching rule of the CLI audit, the webhook, the
 * engines' resource filters and the report's `unevaluatedKinds`.
 *
 * A control evaluates an object whose kind its `kinds` lists. A control whose `kinds` holds the whole
 * `workloads` alias (a pod-level control) also evaluates every object that carries a pod template,
 * whatever its kind: custom resources listed nowhere included (policies/_kinds.yaml
 * `genericPodTemplate`). `kinds` itself stays the admission match list (webhook rules, Kyverno
 * matchConstraints, Gatekeeper match.kinds): admission sees a custom resource only when its kind is
 * listed there.
 */
import { apiGroupOf } from "../k8s/identity.js";
import { isWorkload, WORKLOAD_KINDS } from "../k8s/workloads.js";
import { KINDS } from "./kinds.js";
import type { K8sObject } from "../types.js";
import type { Control } from "./types.js";

const coverage = new WeakMap<readonly string[], boolean>();

/** Whether the control's kinds hold every kind of the `workloads` alias, so it is a pod-level control. */
export function matchesEveryWorkload(control: Pick<Control, "kinds">): boolean {
  let covers = coverage.get(control.kinds);
  if (covers === undefined) coverage.set(control.kinds, (covers = [...WORKLOAD_KINDS].every((k) => control.kinds.includes(k))));
  return covers;
}

/**
 * Whether an object of a kind policies/_kinds.yaml names is of one of that kind's API groups. A custom
 * resource that reuses the name (`fake.example.com/v1` NetworkPolicy, served by a CRD anyone can add) is
 * not that kind to the API server, the CNI or admission (which match by group), so it is not to us:
 * a deny-all "NetworkPolicy" of another group protects nothing. Kinds the catalog does not name match by name.
 */
export function hasCatalogGroup(object: K8sObject): boolean {
  const groups = typeof object.kind === "string" ? KINDS.groups.get(object.kind) : undefined;
  if (!groups) return true;
  const group = apiGroupOf(object);
  return group !== undefined && groups.includes(group);
}

/**
 * Why an object cannot be judged: it reuses, in another API group, the name of a kind the catalog knows
 * that runs no pods (`fake.example.com/v1` NetworkPolicy), and carries a pod template. Pod-level controls
 * must judge the pods it runs, and every control that reads the kind by its name (a default-deny
 * NetworkPolicy, a Secret's keys) would take it for the built-in kind: a deny-all of another group
 * passed net-default-deny this way. Undefined for every other object, a custom resource reusing a
 * workload kind's name included (it is judged as the workload it is).
 */
export function ambiguousKind(object: K8sObject): string | undefined {
  const kind = typeof object.kind === "string" ? object.kind : "";
  if (hasCatalogGroup(object) || WORKLOAD_KINDS.has(kind) || !isWorkload(object)) return undefined;
  const groups = (KINDS.groups.get(kind) ?? []).map((g) => g || "the core group");
  return (
    `${String(object.apiVersion)} ${kind} carries a pod template, and ${kind} is a built-in kind of ${groups.join(", ")}: ` +
    `a custom resource that runs pods under that name cannot be audited as both`
  );
}

/**
 * Whether the control evaluates this object: its kind is listed (in the kind's API group), or the control
 * is pod-level and the object carries a pod template (whatever its group: a custom resource that runs
 * pods is judged like one).
 */
export function controlMatches(control: Pick<Control, "kinds">, object: K8sObject): boolean {
  const kind = typeof object.kind === "string" ? object.kind : "";
  return (control.kinds.includes(kind) && hasCatalogGroup(object)) || (matchesEveryWorkload(control) && isWorkload(object));
}

/**
 * What controlMatches depends on besides the control: objects with the same key are matched by the
 * same controls (a cache key for plans).
 */
export function matchKey(object: K8sObject): string {
  const kind = typeof object.kind === "string" ? object.kind : "";
  const key = WORKLOAD_KINDS.has(kind) || !isWorkload(object) ? kind : `${kind}\u0000pod-template`;
  return hasCatalogGroup(object) ? key : `${key}\u0000other-group`;
}

/**
 * Kinds of these objects the control evaluates but does not list in `kinds`, i.e. that admission
 * engines matching by kind (Kyverno, Gatekeeper) never see: custom resources carrying a pod template.
 */
export function kindsMatchedOnlyByPodTemplate(control: Pick<Control, "kinds">, objects: readonly K8sObject[]): string[] {
  const kinds = objects.filter((o) => controlMatches(control, o) && !control.kinds.includes(String(o.kind))).map((o) => String(o.kind));
  return [...new Set(kinds)].sort();
}
