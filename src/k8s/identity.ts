import type { K8sObject } from "../types.js";
import { isClusterScoped } from "./cluster-scoped.js";

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/**
 * An object's identity in the API server: kind, namespace (none for a cluster-scoped kind, whose namespace the
 * API server ignores) and name; non-strings read as "". Mirrors `identity` in policies/lib/k8s.rego.
 */
export function identityOf(object: K8sObject): string {
  const namespace = isClusterScoped(object) ? "" : text(object.metadata?.namespace);
  return JSON.stringify([text(object.kind), namespace, text(object.metadata?.name)]);
}

/**
 * The objects that exist after `kubectl apply` of `objects` in order: of the objects of one identity, the last
 * one; in input order. Lookups by identity (a ConfigMap's text, a Secret's keys, a ClusterRole's labels) read
 * these. Mirrors `last_by_identity` in policies/lib/k8s.rego.
 */
export function lastByIdentity<T extends K8sObject>(objects: readonly T[], identity: (object: T) => string = identityOf): T[] {
  const last = new Map<string, number>();
  objects.forEach((object, index) => last.set(identity(object), index));
  return objects.filter((object, index) => last.get(identity(object)) === index);
}

/**
 * The identity with the API group: a custom resource of another group that reuses a kind's name is another
 * object to the API server, and never replaces the built-in one.
 */
export function identityInGroupOf(object: K8sObject): string {
  return JSON.stringify([apiGroupOf(object) ?? "", identityOf(object)]);
}

/** The API group of an object's apiVersion (`apps/v1` → `apps`, `v1` → `""`); undefined when apiVersion is not a string. */
export function apiGroupOf(object: K8sObject): string | undefined {
  const apiVersion = object.apiVersion;
  if (typeof apiVersion !== "string") return undefined;
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
