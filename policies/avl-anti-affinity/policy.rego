package erlmcp.controls.avl_anti_affinity

import data.lib.k8s
import data.lib.violation

control_id := "avl-anti-affinity"

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
	k8s.selects_all_pods(term.labelSelector, obj)
}

has_required if {
	some term in object.get(anti_affinity, "requiredDuringSchedulingIgnoredDuringExecution", [])
	host_term(term)
}

has_preferred if {
	some weighted in object.get(anti_affinity, "preferredDuringSchedulingIgnoredDuringExecution", [])
	host_term(weighted.podAffinityTerm)
}

violation contains violation.make(control_id, "noHostAntiAffinity", obj, workload_data) if {
	multi_replica
	not has_required
	not has_preferred
}

violation contains violation.make(control_id, "preferredAntiAffinityOnly", obj, workload_data) if {
	multi_replica
	not has_required
	has_preferred
	not allow_preferred
}

workload_data := {"kind": obj.kind, "workload": k8s.name(obj), "replicas": n}
