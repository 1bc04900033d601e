# Well-known cluster-scoped kinds; every other kind is treated as namespaced.
# Mirrored by src/k8s/cluster-scoped.ts.
package lib.cluster_scoped

kinds := {
	"Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass",
	"PriorityClass", "CustomResourceDefinition", "ValidatingWebhookConfiguration",
	"MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
	"ClusterPolicy", "ClusterIssuer", "APIService", "IngressClass", "RuntimeClass", "CSIDriver",
	"VolumeSnapshotClass", "ClusterSecretStore", "ValidatingPolicy", "ClusterPolicyReport",
	"ConstraintTemplate",
}

is_cluster_scoped(obj) if kinds[obj.kind]
