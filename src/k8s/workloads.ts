/**
 * Walks workloads to their pod templates and containers (mirrors policies/lib/k8s.rego). Where an object
 * carries its pod template is data of policies/_kinds.yaml: a path per kind (`podTemplate`) and, for
 * every other kind, the generic paths (`genericPodTemplate`).
 */
import type { FieldPath } from "./field-path.js";
import { aliasKinds, KINDS, WORKLOADS_ALIAS } from "../catalog/kinds.js";
import type { K8sObject, ResourceRef } from "../types.js";
import type { Labels } from "./selectors.js";
import { asRecord } from "../records.js";

/** The kinds with a pod template (alias `workloads` of policies/_kinds.yaml). */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(aliasKinds(WORKLOADS_ALIAS));

export type ContainerField = "containers" | "initContainers" | "ephemeralContainers";

// Container, pod spec and template are loosely typed on purpose: manifests are untrusted input.
export type Container = Record<string, any> & { name?: string };
export type PodSpec = Record<string, any>;
export interface PodTemplate {
  metadata?: { labels?: Labels; annotations?: Labels };
  spec?: PodSpec;
}

/**
 * Whether the object carries a pod template: a kind of the `workloads` alias, or an object of any other
 * kind (a custom resource) with a pod template at a generic path. Mirrors `is_workload` in policies/lib/k8s.rego.
 */
export function isWorkload(obj: K8sObject): boolean {
  return (typeof obj.kind === "string" && KINDS.podTemplates.has(obj.kind)) || genericPodTemplatePath(obj) !== undefined;
}

export function refOf(obj: K8sObject): ResourceRef {
  return {
    apiVersion: typeof obj.apiVersion === "string" ? obj.apiVersion : "",
    kind: typeof obj.kind === "string" ? obj.kind : "",
    namespace: typeof obj.metadata?.namespace === "string" ? obj.metadata.namespace : "",
    name: typeof obj.metadata?.name === "string" ? obj.metadata.name : "",
  };
}

/** The value at a path of keys; `[]` is the object itself. */
function valueAt(obj: unknown, path: readonly string[]): unknown {
  let value = obj;
  for (const key of path) value = asRecord(value)?.[key];
  return value;
}

/**
 * The pod template (metadata + spec) of a workload: at the path its kind declares (a Pod is its own
 * template), else at the first generic path that holds containers. Mirrors `pod_template` in policies/lib/k8s.rego.
 */
export function podTemplate(obj: K8sObject): PodTemplate | undefined {
  const path = podTemplatePath(obj);
  return path ? asRecord(valueAt(obj, path)) : undefined;
}

/** The path of the pod template (see podTemplate); mirrors `pod_template_path` in policies/lib/k8s.rego. */
export function podTemplatePath(obj: K8sObject): readonly string[] | undefined {
  const path = typeof obj.kind === "string" ? KINDS.podTemplates.get(obj.kind) : undefined;
  if (path) return asRecord(valueAt(obj, path)) ? path : undefined;
  return genericPodTemplatePath(obj);
}

/** The path of the pod spec, for violations; `["spec"]` when the object has no pod template. */
export function podSpecPath(obj: K8sObject): FieldPath {
  return [...(podTemplatePath(obj) ?? []), "spec"];
}

/** The pod template of an object whose kind declares no path: the first generic path whose value holds containers. */
function genericPodTemplatePath(obj: K8sObject): readonly string[] | undefined {
  if (typeof obj.kind === "string" && KINDS.podTemplates.has(obj.kind)) return undefined;
  const { paths, containerFields } = KINDS.genericPodTemplate;
  for (const path of paths) {
    const spec = asRecord(asRecord(valueAt(obj, path))?.spec);
    if (containerFields.some((field) => Array.isArray(spec?.[field]) && (spec?.[field] as unknown[]).length > 0)) return path;
  }
  return undefined;
}

export function podSpec(obj: K8sObject): PodSpec {
  return asRecord(podTemplate(obj)?.spec) ?? {};
}

export function podLabels(obj: K8sObject): Labels {
  return (asRecord(podTemplate(obj)?.metadata?.labels) as Labels | undefined) ?? {};
}

export function mainContainers(obj: K8sObject): Container[] {
  const list = podSpec(obj).containers;
  return Array.isArray(list) ? list.filter((c) => asRecord(c)) : [];
}

/** containers + initContainers + ephemeralContainers, each with the field it came from and its path in the object. */
export function allContainers(obj: K8sObject): Array<{ field: ContainerField; container: Container; path: FieldPath }> {
  const spec = podSpec(obj);
  const specPath = podSpecPath(obj);
  const out: Array<{ field: ContainerField; container: Container; path: FieldPath }> = [];
  for (const field of ["containers", "initContainers", "ephemeralContainers"] as const) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((container, i) => {
      if (asRecord(container)) out.push({ field, container, path: [...specPath, field, i] });
    });
  }
  return out;
}

/** Declared replicas: 1 when unset; Pods, Jobs and CronJobs count as 1; DaemonSets as 2. */
export function replicas(obj: K8sObject): number {
  if (obj.kind === "DaemonSet") return 2;
  if (obj.kind === "Pod" || obj.kind === "Job" || obj.kind === "CronJob") return 1;
  const value = asRecord(obj.spec)?.replicas;
  return typeof value === "number" ? value : 1;
}

const ERLANG_PORT_NAMES = new Set(["epmd", "dist", "erlang-dist"]);
const ERLANG_ENV_NAMES = new Set(["RELEASE_COOKIE", "ERLANG_COOKIE", "RELEASE_DISTRIBUTION"]);
const NAME_FLAG = /(^|\s)-s?name(\s|$)/;

export function containerIsErlang(container: Container): boolean {
  const ports: any[] = Array.isArray(container.ports) ? container.ports : [];
  if (ports.some((p) => p?.containerPort === 4369 || ERLANG_PORT_NAMES.has(p?.name))) return true;
  const env: any[] = Array.isArray(container.env) ? container.env : [];
  return env.some(
    (e) =>
      ERLANG_ENV_NAMES.has(e?.name) || ((e?.name === "ERL_FLAGS" || e?.name === "ERL_AFLAGS") && NAME_FLAG.test(String(e?.value ?? ""))),
  );
}

/** An Erlang node workload as defined in CONTROLS.md. */
export function isErlangNode(obj: K8sObject): boolean {
  return isWorkload(obj) && allContainers(obj).some(({ container }) => containerIsErlang(container));
}

/** The sizes a workload can take, from `min` to `max` replicas. */
export interface SizeRange {
  min: number;
  max: number;
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === "number" ? value : fallback);

/**
 * The range of `scaler` (an HPA of `autoscaling/*`: `minReplicas` default 1 to `maxReplicas`; a KEDA
 * `ScaledObject`: `minReplicaCount` default 0 to `maxReplicaCount` default 100, target kind default
 * Deployment) if it targets the workload, else undefined. Sizes below 1 count as 1.
 */
function scalerRange(scaler: K8sObject, workload: K8sObject): SizeRange | undefined {
  const spec = asRecord(scaler.spec);
  const target = asRecord(spec?.scaleTargetRef);
  const apiVersion = typeof scaler.apiVersion === "string" ? scaler.apiVersion : "";
  const same = (kind: unknown) =>
    kind === workload.kind && target?.name === refOf(workload).name && refOf(scaler).namespace === refOf(workload).namespace;
  let range: SizeRange | undefined;
  if (scaler.kind === "HorizontalPodAutoscaler" && apiVersion.startsWith("autoscaling/") && same(target?.kind))
    range = { min: numberOr(spec?.minReplicas, 1), max: numberOr(spec?.maxReplicas, 0) };
  if (scaler.kind === "ScaledObject" && apiVersion.startsWith("keda.sh/") && same(target?.kind ?? "Deployment"))
    range = { min: numberOr(spec?.minReplicaCount, 0), max: numberOr(spec?.maxReplicaCount, 100) };
  if (!range) return undefined;
  const min = Math.max(1, range.min);
  return { min, max: Math.max(min, range.max) };
}

/**
 * The sizes a workload can take (CONTROLS.md Semantics, "Size"): from the lowest minimum to the highest
 * maximum of the HPAs and KEDA ScaledObjects of the set that target it, else its declared replicas
 * (unset = 1). Mirrors `size_range` in policies/lib/k8s.rego.
 */
export function sizeRange(workload: K8sObject, objects: readonly K8sObject[]): SizeRange {
  const ranges = objects.flatMap((o) => scalerRange(o, workload) ?? []);
  if (ranges.length === 0) return { min: replicas(workload), max: replicas(workload) };
  return { min: Math.min(...ranges.map((r) => r.min)), max: Math.max(...ranges.map((r) => r.max)) };
}
