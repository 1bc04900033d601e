package erlmcp.controls.avl_anti_affinity

import data.lib.k8s

obj := input.review.object

allow_preferred := object.get(input, ["parameters", "allowPreferred"], false)

n := k8s.replicas(obj)

multi_replica if {
	k8s.is_workload(obj)
	obj.kind != "DaemonSet"
	n >= 2
}

anti_affinity := object.get(k8s.pod_spec(obj), ["affinity", "podAntiAffinity"], {})

host_term(term) if {
	term.topologyKey == "kubernetes.io/hostname"
	k8s.selector_matches(term.labelSelector, k8s.pod_labels(obj))
}

has_required if {
	some term in object.get(anti_affinity, "requiredDuringSchedulingIgnoredDuringExecution", [])
	host_term(term)
}

has_preferred if {
	some weighted in object.get(anti_affinity, "preferredDuringSchedulingIgnoredDuringExecution", [])
	host_term(weighted.podAffinityTerm)
}

violation contains out("noHostAntiAffinity") if {
	multi_replica
	not has_required
	not has_preferred
}

violation contains out("preferredAntiAffinityOnly") if {
	multi_replica
	not has_required
	has_preferred
	not allow_preferred
}

out(message_id) := {
	"msg": concat("", ["avl-anti-affinity: ", message_id, " for ", obj.kind, " ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": {"kind": obj.kind, "workload": k8s.name(obj), "replicas": n},
		"resource": k8s.ref(obj),
	},
}
