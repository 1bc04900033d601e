/**
 * Drift between what the repository renders and what a cluster holds: objects missing or extra, and
 * the fields the controls read that differ (images, replicas, securityContext, resources,
 * serviceAccountName, NetworkPolicy specs, RBAC rules and bindings).
 */
import { isDeepStrictEqual } from "node:util";
import { KINDS } from "../catalog/kinds.js";
import { podTemplatePath } from "../k8s/workloads.js";
import { loadInputs } from "../loaders/load.js";
import type { K8sObject, ResourceRef } from "../types.js";
import { normalizedResources } from "./quantity.js";
import { readCluster, type ClusterSnapshot } from "./audit.js";
import type { ClusterSource } from "./client.js";

/** One compared field that differs (`undefined` side: the field is absent there). */
export interface FieldDrift {
  path: string;
  repository: unknown;
  cluster: unknown;
}

/** The drift of one unit of the repository (a directory, render or overlay). */
export interface UnitDrift {
  unit: string;
  /** Objects the unit renders that the cluster does not hold. */
  missing: ResourceRef[];
  changed: Array<{ resource: ResourceRef; fields: FieldDrift[] }>;
  /** Objects of the unit not compared: their kind is not read, or their namespace is outside `-n`. */
  notCompared: ResourceRef[];
}

/** The drift report of `erlmcp-audit cluster --compare`. */
export interface ClusterDrift {
  context: string;
  observedAt: string;
  units: UnitDrift[];
  /** Objects the cluster holds that no unit renders. */
  extra: ResourceRef[];
  /**
   * Objects no unit renders that carry the API server's RBAC-defaults label (`kubernetes.io/bootstrapping`):
   * kept apart from `extra`, but listed, since anyone who can write RBAC can set the label.
   */
  builtIn: ResourceRef[];
}

/** Objects the API server creates itself: its default RBAC roles and bindings. */
export function isBuiltIn(object: K8sObject): boolean {
  return object.metadata?.labels?.["kubernetes.io/bootstrapping"] === "rbac-defaults";
}

const keyOf = (r: Pick<ResourceRef, "kind" | "namespace" | "name">) => `${r.kind}/${r.namespace}/${r.name}`;

/** The values compared for an object, by field path. */
export function comparedFields(object: K8sObject): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  const at = (path: readonly (string | number)[]) => path.reduce<any>((v, k) => (v == null ? undefined : v[k]), object);
  const dotted = (path: readonly (string | number)[]) => path.map((k, i) => (typeof k === "number" ? `[${k}]` : i ? `.${k}` : k)).join("");
  const put = (path: readonly (string | number)[]) => fields.set(dotted(path), at(path));
  const kind = object.kind ?? "";
  const template = podTemplatePath(object);
  if (template) {
    if (template.length) put(["spec", "replicas"]);
    const spec = [...template, "spec"];
    put([...spec, "serviceAccountName"]);
    put([...spec, "securityContext"]);
    for (const list of ["initContainers", "containers"]) {
      const containers = (at([...spec, list]) ?? []) as unknown[];
      containers.forEach((_c, i) => {
        for (const field of ["name", "image", "securityContext", "resources"]) put([...spec, list, i, field]);
      });
      fields.set(dotted([...spec, list, "length"]), containers.length);
    }
  }
  if (kind === "NetworkPolicy") put(["spec"]);
  if (kind === "Role" || kind === "ClusterRole") {
    put(["rules"]);
    put(["aggregationRule"]);
  }
  if (kind === "RoleBinding" || kind === "ClusterRoleBinding") {
    put(["roleRef"]);
    put(["subjects"]);
  }
  return fields;
}

/**
 * Whether the cluster's value is the repository's: equal (resource quantities by value: `4000m` is `4`), or for a NetworkPolicy spec the repository's
 * fields all present with their values (the API server adds defaults such as `policyTypes` and `protocol: TCP`).
 */
function sameValue(path: string, repository: unknown, cluster: unknown): boolean {
  if (path === "spec") return contains(cluster, repository);
  if (path.endsWith(".resources")) return isDeepStrictEqual(normalizedResources(repository), normalizedResources(cluster));
  return isDeepStrictEqual(repository, cluster);
}

function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected))
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => contains(actual[i], e));
  if (expected !== null && typeof expected === "object")
    return (
      actual !== null &&
      typeof actual === "object" &&
      Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v))
    );
  return isDeepStrictEqual(actual, expected);
}

/** The fields of `comparedFields` whose values differ, sorted by path. */
export function fieldDrift(repository: K8sObject, cluster: K8sObject): FieldDrift[] {
  const ours = comparedFields(repository);
  const theirs = comparedFields(cluster);
  const paths = [...new Set([...ours.keys(), ...theirs.keys()])].sort();
  return paths
    .filter((p) => !sameValue(p, ours.get(p), theirs.get(p)))
    .map((path) => ({ path, repository: ours.get(path), cluster: theirs.get(path) }));
}

/** Compares each unit the paths render with the snapshot (namespaces given: only objects in them). */
export function compareSnapshot(
  units: ReadonlyArray<{ id: string; resources: ReadonlyArray<{ ref: ResourceRef; object: K8sObject }> }>,
  snapshot: ClusterSnapshot,
  namespaces: readonly string[] = [],
): ClusterDrift {
  const held = new Map(snapshot.resources.map((r) => [keyOf(r.ref), r]));
  const readKinds = new Set(snapshot.kinds);
  const rendered = new Set<string>();
  // With -n, only the named Namespace objects were read.
  const inScope = (ref: ResourceRef) =>
    readKinds.has(ref.kind) &&
    (!namespaces.length ||
      (ref.kind === "Namespace"
        ? namespaces.includes(ref.name)
        : !ref.namespace || KINDS.clusterScoped.has(ref.kind) || namespaces.includes(ref.namespace)));
  const result: UnitDrift[] = units.map((unit) => {
    const drift: UnitDrift = { unit: unit.id, missing: [], changed: [], notCompared: [] };
    for (const { ref, object } of unit.resources) {
      const key = keyOf(ref);
      rendered.add(key);
      const observed = held.get(key);
      if (!inScope(ref)) drift.notCompared.push(ref);
      else if (!observed) drift.missing.push(ref);
      else {
        const fields = fieldDrift(object, observed.object);
        if (fields.length) drift.changed.push({ resource: ref, fields });
      }
    }
    return drift;
  });
  const unrendered = snapshot.resources.filter((r) => !rendered.has(keyOf(r.ref)));
  const extra = unrendered.filter((r) => !isBuiltIn(r.object)).map((r) => r.ref);
  const builtIn = unrendered.filter((r) => isBuiltIn(r.object)).map((r) => r.ref);
  return { context: snapshot.context, observedAt: snapshot.observedAt, units: result, extra, builtIn };
}

/** Renders the paths as an audit does and compares them with what the cluster holds. */
export async function compareWithRepository(
  paths: readonly string[],
  options: ClusterSource & { namespaces?: string[]; cwd?: string },
): Promise<ClusterDrift & { inputErrors: string[] }> {
  const loaded = await loadInputs(paths, { cwd: options.cwd ?? process.cwd() });
  const snapshot = await readCluster(options);
  return {
    ...compareSnapshot(loaded.units, snapshot, options.namespaces),
    inputErrors: loaded.errors.map((e) => `${e.file}: ${e.message}`),
  };
}

/** The drift as text: one line per missing or extra object and per changed field. */
export function formatDrift(drift: ClusterDrift): string {
  const lines = [`drift between the repository and ${drift.context} (observed ${drift.observedAt})`];
  const name = (r: ResourceRef) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
  for (const unit of drift.units) {
    lines.push(`${unit.unit}: ${unit.missing.length} missing, ${unit.changed.length} changed, ${unit.notCompared.length} not compared`);
    for (const r of unit.missing) lines.push(`  missing in the cluster: ${name(r)}`);
    for (const c of unit.changed)
      for (const f of c.fields)
        lines.push(
          `  changed: ${name(c.resource)} ${f.path}: repository ${JSON.stringify(f.repository)} → cluster ${JSON.stringify(f.cluster)}`,
        );
  }
  for (const r of drift.extra) lines.push(`extra in the cluster: ${name(r)}`);
  if (drift.builtIn.length)
    lines.push(`(${drift.builtIn.length} more objects no unit renders carry the API server's RBAC-defaults label; -f json lists them)`);
  return lines.join("\n") + "\n";
}

/** Whether anything is missing, extra or changed. */
export function hasDrift(drift: ClusterDrift): boolean {
  return drift.extra.length > 0 || drift.units.some((u) => u.missing.length > 0 || u.changed.length > 0);
}
