package erlmcp.controls.pod_namespace_placement

import data.lib.cluster_scoped
import data.lib.k8s

obj := input.review.object

reserved := {"default", "kube-system", "kube-public"}

namespaced if {
	is_string(obj.kind)
	not cluster_scoped.is_cluster_scoped(obj)
}

violation contains out("namespaceMissing") if {
	namespaced
	k8s.namespace(obj) == ""
}

violation contains out("reservedNamespace") if {
	namespaced
	reserved[k8s.namespace(obj)]
}

out(message_id) := {
	"msg": concat("", ["pod-namespace-placement: ", message_id, " for ", obj.kind, " ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": {"kind": obj.kind, "name": k8s.name(obj), "namespace": k8s.namespace(obj)},
		"resource": k8s.ref(obj),
	},
}
