/**
 * Whether Istio injects its sidecar into a pod, as Istio decides it (mirrors policies/lib/istio.rego):
 * first the injector's MutatingWebhookConfiguration sends the pod to istiod (namespace and object
 * selectors on labels), then istiod's `injectRequired` follows the pod's own choice. The one decision
 * every control that asks "does this pod get a sidecar?" uses.
 */
import type { K8sObject } from "../types.js";
import { nameOf, rec } from "./manifest-fields.js";
import { labelSelectorMatches, type LabelSelector, type LabelSelectorRequirement, type Labels } from "./selectors.js";

/** The pod label (and deprecated annotation) by which a pod chooses injection. */
export const INJECT_KEY = "sidecar.istio.io/inject";

/** Namespaces istiod never injects into, whatever their labels (`IgnoredNamespaces` of pkg/kube/inject). */
export const IGNORED_NAMESPACES: ReadonlySet<string> = new Set(["kube-system", "kube-public", "kube-node-lease", "local-path-storage"]);

/**
 * The choices istiod reads as "inject" (YAML 1.1 true spellings, any case; empty = the namespace's
 * default). Every other value opts out: `false`, `no`, `0`, `1`, `t`, `f`... istiod does not use
 * strconv.ParseBool here.
 */
const INJECTING_CHOICES: ReadonlySet<string> = new Set(["", "y", "yes", "true", "on"]);

/** What a namespace absent from the audited set is taken to be labelled with. */
export type AbsentNamespace = readonly Labels[];

/** A namespace without its object in the set counts as one without labels: only pod labels select. */
export const ABSENT_NAMESPACE_UNLABELLED: AbsentNamespace = [{}];

/** A namespace without its object in the set counts as labelled `istio-injection: enabled`. */
export const ABSENT_NAMESPACE_INJECTING: AbsentNamespace = [{ "istio-injection": "enabled" }];

/** The pod-level inputs of the decision: a pod template's (or bare Pod's) string labels and annotations, host network, namespace. */
export interface InjectionSubject {
  labels: Labels;
  annotations: Labels;
  hostNetwork: boolean;
  namespace: string;
}

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
export function stringMap(value: unknown): Labels {
  return Object.fromEntries(Object.entries(rec(value)).filter(([, v]) => typeof v === "string")) as Labels;
}

/** The decision's inputs read off a pod template (a bare Pod is its own) in `namespace`. */
export function injectionSubject(template: unknown, namespace: string): InjectionSubject {
  const metadata = rec(rec(template).metadata);
  return {
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
    hostNetwork: rec(rec(template).spec).hostNetwork === true,
    namespace,
  };
}

/** The label maps of the Namespace objects of the set, by name (several objects of one name each count). */
export function namespaceLabelIndex(objects: readonly K8sObject[]): ReadonlyMap<string, Labels[]> {
  const out = new Map<string, Labels[]>();
  for (const ns of objects) {
    if (ns.kind !== "Namespace") continue;
    const maps = out.get(nameOf(ns)) ?? [];
    maps.push(stringMap(ns.metadata?.labels));
    out.set(nameOf(ns), maps);
  }
  return out;
}

/** The label maps of a namespace: its objects' in the index, else what the caller assumes of an absent one. */
export function namespaceLabels(index: ReadonlyMap<string, Labels[]>, namespace: string, absent: AbsentNamespace): readonly Labels[] {
  return index.get(namespace) ?? absent;
}

/** The reason of the first webhook that sends the pod to istiod, if one does. */
function selectingWebhook(labels: Labels, namespaceMaps: readonly Labels[]): string | undefined {
  return WEBHOOKS.find(
    (hook) =>
      labelSelectorMatches(hook.objectSelector, labels) && namespaceMaps.some((ns) => labelSelectorMatches(hook.namespaceSelector, ns)),
  )?.injectedBy;
}

/** istiod's own check once the pod reached it: the label, else the annotation, read as a YAML boolean; never the host network or a system namespace. */
function injectorAccepts(subject: InjectionSubject): boolean {
  if (subject.hostNetwork || IGNORED_NAMESPACES.has(subject.namespace)) return false;
  const choice = subject.labels[INJECT_KEY] ?? subject.annotations[INJECT_KEY] ?? "";
  return INJECTING_CHOICES.has(choice.toLowerCase());
}

/**
 * Why Istio injects its sidecar into the pod (the webhook that selects it, e.g. "namespace label
 * istio-injection=enabled"), or undefined when it does not. `namespaceMaps` are the label maps of the
 * pod's namespace (see namespaceLabels).
 */
export function sidecarInjectedBy(subject: InjectionSubject, namespaceMaps: readonly Labels[]): string | undefined {
  const reason = selectingWebhook(subject.labels, namespaceMaps);
  return reason !== undefined && injectorAccepts(subject) ? reason : undefined;
}
