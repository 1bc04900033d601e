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

# A term on kubernetes.io/hostname that counts every pod of the workload: its labelSelector selects
# them all, it looks in the workload's own namespace, and no mismatchLabelKeys entry excludes pods
# with the workload's own value of a label they all carry.
host_term(term) if {
	term.topologyKey == "kubernetes.io/hostname"
	k8s.selects_all_pods(term.labelSelector, obj)
	in_own_namespace(term)
	not mismatch_excludes_own_pods(term)
}

# namespaces and namespaceSelector unset (or empty list): the pod's own namespace.
in_own_namespace(term) if {
	count(object.get(term, "namespaces", [])) == 0
	object.get(term, "namespaceSelector", null) == null
}

in_own_namespace(term) if k8s.namespace(obj) in object.get(term, "namespaces", [])

# {} selects every namespace; otherwise only kubernetes.io/metadata.name is known of the namespace.
in_own_namespace(term) if {
	reqs := k8s.selector_requirements(term.namespaceSelector)
	every r in reqs {
		r.key == "kubernetes.io/metadata.name"
		k8s.namespace(obj) != ""
		k8s.requirement_holds(r, {r.key: k8s.namespace(obj)})
	}
}

mismatch_excludes_own_pods(term) if {
	some key in object.get(term, "mismatchLabelKeys", [])
	carried_by_every_pod(key)
}

carried_by_every_pod(key) if k8s.has_key(k8s.pod_labels(obj), key)

carried_by_every_pod(key) if k8s.controller_keys(obj)[key]

has_required if {
	some term in object.get(anti_affinity, "requiredDuringSchedulingIgnoredDuringExecution", [])
	host_term(term)
}

has_preferred if {
	some weighted in object.get(anti_affinity, "preferredDuringSchedulingIgnoredDuringExecution", [])
	host_term(weighted.podAffinityTerm)
}

violation contains violation.at(control_id, "noHostAntiAffinity", obj, anti_affinity_path("requiredDuringSchedulingIgnoredDuringExecution"), workload_data) if {
	multi_replica
	not has_required
	not has_preferred
}

violation contains violation.at(control_id, "preferredAntiAffinityOnly", obj, anti_affinity_path("preferredDuringSchedulingIgnoredDuringExecution"), workload_data) if {
	multi_replica
	not has_required
	has_preferred
	not allow_preferred
}

# Where a required term is added (cut back to what exists), or the preferred terms to make required.
anti_affinity_path(field) := array.concat(k8s.pod_spec_path(obj), ["affinity", "podAntiAffinity", field])

workload_data := {"kind": obj.kind, "workload": k8s.name(obj), "replicas": n}
