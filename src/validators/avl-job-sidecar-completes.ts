import type { K8sObject, Violation } from "../types.js";
import { closestPath } from "../k8s/field-path.js";
import { nameOf, rec } from "../k8s/manifest-fields.js";
import { labelSelectorMatches, type LabelSelector, type LabelSelectorRequirement, type Labels } from "../k8s/selectors.js";
import { podTemplate, podTemplatePath, refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const JOB_KINDS: ReadonlySet<string> = new Set(["Job", "CronJob"]);
/** A Pod runs to completion unless it restarts its containers forever (Always, the default). */
const COMPLETING_RESTART_POLICIES: ReadonlySet<unknown> = new Set(["Never", "OnFailure"]);
const INJECT_KEY = "sidecar.istio.io/inject";
const NATIVE_KEY = "sidecar.istio.io/nativeSidecar";
const INJECTING_CHOICES: ReadonlySet<string> = new Set(["", "y", "yes", "true", "on"]);

interface Webhook {
  injectedBy: string;
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
}

const NOT_OPTED_OUT: LabelSelectorRequirement = { key: INJECT_KEY, operator: "NotIn", values: ["false"] };
const NO_NAMESPACE_LABEL: LabelSelectorRequirement[] = [
  { key: "istio-injection", operator: "DoesNotExist" },
  { key: "istio.io/rev", operator: "DoesNotExist" },
];

/** The selectors of Istio's injector webhooks (default and revisioned), in the order their reason is reported. */
const WEBHOOKS: readonly Webhook[] = [
  {
    injectedBy: "namespace label istio-injection=enabled",
    namespaceSelector: { matchLabels: { "istio-injection": "enabled" } },
    objectSelector: { matchExpressions: [NOT_OPTED_OUT] },
  },
  {
    injectedBy: "namespace label istio.io/rev",
    namespaceSelector: {
      matchExpressions: [
        { key: "istio.io/rev", operator: "Exists" },
        { key: "istio-injection", operator: "DoesNotExist" },
      ],
    },
    objectSelector: { matchExpressions: [NOT_OPTED_OUT] },
  },
  {
    injectedBy: "pod template label sidecar.istio.io/inject=true",
    namespaceSelector: { matchExpressions: [...NO_NAMESPACE_LABEL] },
    objectSelector: {
      matchExpressions: [
        { key: INJECT_KEY, operator: "In", values: ["true"] },
        { key: "istio.io/rev", operator: "DoesNotExist" },
      ],
    },
  },
  {
    injectedBy: "pod template label istio.io/rev",
    namespaceSelector: { matchExpressions: [...NO_NAMESPACE_LABEL] },
    objectSelector: { matchExpressions: [NOT_OPTED_OUT, { key: "istio.io/rev", operator: "Exists" }] },
  },
];

/** A map's string values only (labels and annotations of another type count as absent). */
function stringMap(value: unknown): Labels {
  return Object.fromEntries(Object.entries(rec(value)).filter(([, v]) => typeof v === "string")) as Labels;
}

/** The label maps of the Namespace objects of the set, by name. */
function namespaceLabels(objects: readonly K8sObject[]): Map<string, Labels[]> {
  const out = new Map<string, Labels[]>();
  for (const ns of objects) {
    if (ns.kind !== "Namespace") continue;
    const maps = out.get(nameOf(ns)) ?? [];
    maps.push(stringMap(ns.metadata?.labels));
    out.set(nameOf(ns), maps);
  }
  return out;
}

/** A Pod a controller owns is judged through its owner (a Job's pods through the Job; a ReplicaSet's pods restart Always). */
function controllerOwned(object: K8sObject): boolean {
  const refs = rec(object.metadata).ownerReferences;
  return Array.isArray(refs) && refs.some((ref) => rec(ref).controller === true);
}

/** A Job, a CronJob, or a bare Pod meant to complete (a Helm test hook, a one-off task). */
function runsToCompletion(object: K8sObject): boolean {
  if (typeof object.kind === "string" && JOB_KINDS.has(object.kind)) return true;
  return object.kind === "Pod" && COMPLETING_RESTART_POLICIES.has(rec(object.spec).restartPolicy ?? "Always") && !controllerOwned(object);
}

/** The reason of the first webhook that sends the pod to the injector; a namespace not in the set has no labels. */
function injectedBy(podLabels: Labels, namespaceMaps: readonly Labels[]): string | undefined {
  return WEBHOOKS.find(
    (hook) =>
      labelSelectorMatches(hook.objectSelector, podLabels) && namespaceMaps.some((ns) => labelSelectorMatches(hook.namespaceSelector, ns)),
  )?.injectedBy;
}

/** The injector follows the pod's own choice (label, else annotation); a host-network pod is never injected. */
function injects(template: Record<string, any>, labels: Labels, annotations: Labels): boolean {
  const choice = labels[INJECT_KEY] ?? annotations[INJECT_KEY] ?? "";
  return INJECTING_CHOICES.has(choice.toLowerCase()) && rec(template.spec).hostNetwork !== true;
}

/** istio-proxy runs as a native sidecar, as Istio's injection template decides: a non-empty annotation unless exactly "false", else the mesh-wide setting. */
function native(annotations: Labels, meshWide: boolean): boolean {
  const value = annotations[NATIVE_KEY];
  return value === undefined || value === "" ? meshWide : value !== "false";
}

/**
 * avl-job-sidecar-completes: Jobs, CronJobs and bare Pods meant to complete whose pods get Istio's
 * sidecar as an ordinary container (never exits, so they never complete), as policy.rego decides it.
 */
export const avlJobSidecarCompletes: SetValidator = {
  id: "avl-job-sidecar-completes",
  scope: "set",
  validate(resources, params) {
    const objects = resources.map((r) => r.object);
    const namespaces = namespaceLabels(objects);
    const meshWide = params.nativeSidecarsMeshWide === true;
    const out: Violation[] = [];
    for (const object of objects) {
      if (!runsToCompletion(object)) continue;
      const template = podTemplate(object);
      const templatePath = podTemplatePath(object);
      if (!template || !templatePath) continue;
      const metadata = rec(template.metadata);
      const labels = stringMap(metadata.labels);
      const annotations = stringMap(metadata.annotations);
      const resource = refOf(object);
      const reason = injectedBy(labels, namespaces.get(resource.namespace) ?? [{}]);
      if (reason === undefined || !injects(template, labels, annotations) || native(annotations, meshWide)) continue;
      out.push({
        messageId: "sidecarBlocksCompletion",
        data: { kind: resource.kind, name: resource.name, injectedBy: reason },
        resource,
        path: [...closestPath(object, [...templatePath, "metadata", "annotations", NATIVE_KEY])],
      });
    }
    return out;
  },
};
