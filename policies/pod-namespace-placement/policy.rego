package erlmcp.controls.pod_namespace_placement

import data.lib.cluster_scoped
import data.lib.k8s
import data.lib.violation

control_id := "pod-namespace-placement"

obj := input.review.object

reserved := {"default", "kube-system", "kube-public"}

namespaced if {
	is_string(obj.kind)
	not cluster_scoped.is_cluster_scoped(obj)
}

violation contains violation.at(control_id, "namespaceMissing", obj, ["metadata", "namespace"], object_data) if {
	namespaced
	k8s.namespace(obj) == ""
}

violation contains violation.at(control_id, "reservedNamespace", obj, ["metadata", "namespace"], object_data) if {
	namespaced
	reserved[k8s.namespace(obj)]
}

object_data := {"kind": obj.kind, "name": k8s.name(obj), "namespace": k8s.namespace(obj)}
