/** Walks workloads to their pod templates and containers (mirrors policies/lib/k8s.rego). */
import { aliasKinds } from "../catalog/kinds.js";
import type { K8sObject, ResourceRef } from "../types.js";
import type { Labels } from "./selectors.js";

/** The kinds with a pod template (alias `workloads` of policies/_kinds.yaml). */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(aliasKinds("workloads"));

export type ContainerField = "containers" | "initContainers" | "ephemeralContainers";

// Container, pod spec and template are loosely typed on purpose: manifests are untrusted input.
export type Container = Record<string, any> & { name?: string };
export type PodSpec = Record<string, any>;
export interface PodTemplate {
  metadata?: { labels?: Labels; annotations?: Labels };
  spec?: PodSpec;
}

export function isWorkload(obj: K8sObject): boolean {
  return typeof obj.kind === "string" && WORKLOAD_KINDS.has(obj.kind);
}

export function refOf(obj: K8sObject): ResourceRef {
  return {
    apiVersion: typeof obj.apiVersion === "string" ? obj.apiVersion : "",
    kind: typeof obj.kind === "string" ? obj.kind : "",
    namespace: typeof obj.metadata?.namespace === "string" ? obj.metadata.namespace : "",
    name: typeof obj.metadata?.name === "string" ? obj.metadata.name : "",
  };
}

function asRecord(value: unknown): Record<string, any> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, any>) : undefined;
}

export function podTemplate(obj: K8sObject): PodTemplate | undefined {
  if (!isWorkload(obj)) return undefined;
  const spec = asRecord(obj.spec);
  if (obj.kind === "Pod") return { metadata: { labels: obj.metadata?.labels ?? {} }, spec: spec ?? {} };
  if (obj.kind === "CronJob") return asRecord(asRecord(asRecord(spec?.jobTemplate)?.spec)?.template);
  return asRecord(spec?.template);
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

/** containers + initContainers + ephemeralContainers, each with the field it came from. */
export function allContainers(obj: K8sObject): Array<{ field: ContainerField; container: Container }> {
  const spec = podSpec(obj);
  const out: Array<{ field: ContainerField; container: Container }> = [];
  for (const field of ["containers", "initContainers", "ephemeralContainers"] as const) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const container of list) if (asRecord(container)) out.push({ field, container });
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
