/**
 * auditCluster(): the objects a cluster holds, of every kind a control inspects, audited as one
 * manifest set by the same pipeline as files (audit() with pre-loaded units).
 */
import { audit, type AuditOptions } from "../audit.js";
import { loadCatalog } from "../catalog/load.js";
import { KINDS } from "../catalog/kinds.js";
import { refOf } from "../k8s/workloads.js";
import type { LoadResult } from "../loaders/load.js";
import { DEFAULT_KUBE_VERSION } from "../loaders/render.js";
import type { AuditReport } from "../report/types.js";
import type { K8sObject, Resource } from "../types.js";
import { auditDate } from "../version.js";
import { connect, discoverKinds, listObjects, type ClusterSource } from "./client.js";
import { kindsToRead } from "./kinds.js";
import { clusterLocation } from "./location.js";
import { desiredState } from "./strip.js";

/** What to read and how to audit it (the audit options that do not concern reading files). */
export interface ClusterAuditOptions
  extends ClusterSource, Omit<AuditOptions, "loaded" | "cache" | "values" | "kubeVersion" | "maxFileBytes" | "stdin" | "writeBaseline"> {
  /** Namespaces whose objects are read (cluster-scoped objects are always read); default all. */
  namespaces?: string[];
}

/** The objects read from a cluster, as of `observedAt`. */
export interface ClusterSnapshot {
  context: string;
  server: string;
  /** When the objects were read (ISO 8601). */
  observedAt: string;
  /** The objects' desired state (server-populated fields removed), sorted by kind, namespace and name. */
  resources: Resource[];
  /** The kinds read (every kind a control inspects that the API server serves). */
  kinds: string[];
  /** Kinds a control inspects that the API server does not serve (their CRD is not installed). */
  notServed: string[];
}

/** A cluster audit: the report and what was read. */
export interface ClusterAudit {
  report: AuditReport;
  snapshot: ClusterSnapshot;
}

/**
 * Reads (get/list only) every object of the kinds the controls inspect. Objects a controller owns (a
 * ReplicaSet's Pods) are read too: an owner reference is set by whoever creates the object, so it
 * proves nothing about the object's content.
 */
export async function readCluster(source: ClusterSource & { namespaces?: readonly string[]; now?: Date }): Promise<ClusterSnapshot> {
  const connection = await connect(source);
  const observedAt = (source.now ?? new Date()).toISOString();
  const kinds = kindsToRead(loadCatalog()).filter((k) => KINDS.groups.has(k));
  const { served, notServed } = await discoverKinds(connection, kinds, (k) => KINDS.groups.get(k) ?? []);
  const objects: K8sObject[] = [];
  for (const kind of served) objects.push(...(await listObjects(connection, kind, source.namespaces ?? [])));
  const namespaces = source.namespaces ?? [];
  // With -n, the Namespace objects of the other namespaces are not part of what is audited either.
  const wanted = (o: K8sObject) => !namespaces.length || o.kind !== "Namespace" || namespaces.includes(o.metadata?.name ?? "");
  const resources = objects
    .filter(wanted)
    .map(desiredState)
    .map((object) => ({ object, ref: refOf(object) }))
    .sort(
      (a, b) => compareText(a.ref.kind, b.ref.kind) || compareText(a.ref.namespace, b.ref.namespace) || compareText(a.ref.name, b.ref.name),
    )
    .map(({ object, ref }, documentIndex) => ({
      ref,
      object,
      // A cluster object has no line: 0 says so.
      source: { file: clusterLocation(connection.context, ref), line: 0, documentIndex },
    }));
  const read = served.map((s) => s.kind);
  return { context: connection.context, server: connection.server, observedAt, resources, kinds: read, notServed };
}

/** The snapshot as the one unit (`cluster://<context>`) the pipeline audits. */
export function snapshotAsLoaded(snapshot: ClusterSnapshot): LoadResult {
  const id = `cluster://${snapshot.context}`;
  return {
    units: [{ id, kind: "cluster", path: id, resources: snapshot.resources }],
    inputs: [],
    errors: [],
    notAudited: [],
    notices: [],
    texts: new Map(),
    helm: { kubeVersion: DEFAULT_KUBE_VERSION },
  };
}

/** Reads the cluster and audits its objects as one manifest set. */
export async function auditCluster(options: ClusterAuditOptions = {}): Promise<ClusterAudit> {
  const snapshot = await readCluster({ ...options, now: undefined });
  const report = await audit([], { ...options, now: options.now ?? auditDate(), loaded: snapshotAsLoaded(snapshot) });
  return { report, snapshot };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
