/** Well-known cluster-scoped kinds; every other kind is treated as namespaced (mirrors policies/lib/cluster_scoped.rego). */
import type { K8sObject } from "../types.js";

export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "PriorityClass",
  "CustomResourceDefinition",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ClusterPolicy",
  "ClusterIssuer",
  "APIService",
  "IngressClass",
  "RuntimeClass",
  "CSIDriver",
  "VolumeSnapshotClass",
  "ClusterSecretStore",
  "ValidatingPolicy",
  "ClusterPolicyReport",
  "ConstraintTemplate",
]);

export function isClusterScoped(obj: K8sObject): boolean {
  return typeof obj.kind === "string" && CLUSTER_SCOPED_KINDS.has(obj.kind);
}
