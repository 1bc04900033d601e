package erlmcp.controls.avl_anti_affinity_test

import data.erlmcp.controls.avl_anti_affinity as control

labels := {"app.kubernetes.io/name": "erlmcp"}

term := {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": labels}}

deploy(replicas, affinity) := {"review": {"object": {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "erlmcp"},
	"spec": {"replicas": replicas, "template": {
		"metadata": {"labels": labels},
		"spec": {"affinity": affinity, "containers": [{"name": "web"}]},
	}},
}}}

required(t) := {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [t]}}

preferred(t) := {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": t}]}}

ids(vs) := {v.details.messageId | some v in vs}

test_required_term_passes if {
	count(control.violation) == 0 with input as deploy(3, required(term))
}

test_single_replica_ignored if {
	count(control.violation) == 0 with input as deploy(1, {})
}

test_daemonset_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "DaemonSet", "metadata": {"name": "x"}, "spec": {"template": {"spec": {}}}}}}
}

test_missing_fails if {
	ids(control.violation) == {"noHostAntiAffinity"} with input as deploy(2, {})
}

test_zone_key_fails if {
	ids(control.violation) == {"noHostAntiAffinity"} with input as deploy(2, required(object.union(term, {"topologyKey": "topology.kubernetes.io/zone"})))
}

test_foreign_selector_fails if {
	ids(control.violation) == {"noHostAntiAffinity"} with input as deploy(2, required({"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "other"}}}))
}

test_preferred_fails_in_production if {
	ids(control.violation) == {"preferredAntiAffinityOnly"} with input as deploy(2, preferred(term))
}

test_preferred_passes_when_allowed if {
	count(control.violation) == 0 with input as object.union(deploy(2, preferred(term)), {"parameters": {"allowPreferred": true}})
}

passes(t) if count(control.violation) == 0 with input as deploy(3, required(t))

fails(t) if ids(control.violation) == {"noHostAntiAffinity"} with input as deploy(3, required(t))

test_term_namespaces if {
	passes(object.union(term, {"namespaces": ["erlmcp"]}))
	passes(object.union(term, {"namespaces": []}))
	passes(object.union(term, {"namespaceSelector": {}}))
	passes(object.union(term, {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "erlmcp"}}}))
	fails(object.union(term, {"namespaces": ["other"]}))
	fails(object.union(term, {"namespaceSelector": {"matchLabels": {"team": "erlmcp"}}}))
	fails(object.union(term, {"namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["erlmcp"]}]}}))
}

test_mismatch_label_keys if {
	passes(object.union(term, {"mismatchLabelKeys": ["tenant"]}))
	fails(object.union(term, {"mismatchLabelKeys": ["app.kubernetes.io/name"]}))
	fails(object.union(term, {"mismatchLabelKeys": ["pod-template-hash"]}))
}

test_selector_must_cover_every_pod if {
	passes({"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["erlmcp"]}]}})
	fails({"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": object.union(labels, {"pod-template-hash": "abc"})}})
	fails({"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["erlmcp"]}]}})
}

paths(vs) := {v.details.path | some v in vs}

test_paths_point_where_a_required_term_goes if {
	paths(control.violation) == {["spec", "template", "spec", "affinity"]} with input as deploy(2, {})
	paths(control.violation) == {["spec", "template", "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]} with input as deploy(2, required(object.union(term, {"topologyKey": "topology.kubernetes.io/zone"})))
	paths(control.violation) == {["spec", "template", "spec", "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"]} with input as deploy(2, preferred(term))
}
