package erlmcp.controls.avl_pdb_consistent_test

import data.erlmcp.controls.avl_pdb_consistent as control

labels := {"app.kubernetes.io/name": "erlmcp"}

sts(replicas) := {
	"apiVersion": "apps/v1",
	"kind": "StatefulSet",
	"metadata": {"name": "erlmcp", "namespace": "erlmcp"},
	"spec": {"replicas": replicas, "template": {
		"metadata": {"labels": labels},
		"spec": {"containers": [{"name": "erlmcp", "ports": [{"name": "epmd", "containerPort": 4369}]}]},
	}},
}

web(replicas) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "erlmcp"},
	"spec": {"replicas": replicas, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web"}]}}},
}

pdb(name, sel, budget) := {
	"apiVersion": "policy/v1",
	"kind": "PodDisruptionBudget",
	"metadata": {"name": name, "namespace": "erlmcp"},
	"spec": object.union({"selector": {"matchLabels": sel}}, budget),
}

hpa(min) := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": "web", "namespace": "erlmcp"},
	"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": min, "maxReplicas": 5},
}

run(resources) := {v.details.messageId | some v in control.violation with input as {"resources": resources}}

test_erlang_with_pdb_passes if {
	run([sts(3), pdb("erlmcp", labels, {"maxUnavailable": 1})]) == set()
}

test_single_replica_needs_no_pdb if {
	run([web(1)]) == set()
}

test_daemonset_needs_no_pdb if {
	run([{"kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {"template": {"spec": {}}}}]) == set()
}

test_missing_pdb_fails if {
	run([sts(3)]) == {"noPdb"}
}

test_beta_pdb_does_not_count if {
	run([sts(3), object.union(pdb("erlmcp", labels, {"maxUnavailable": 1}), {"apiVersion": "policy/v1beta1"})]) == {"noPdb"}
}

test_hpa_min_counts_as_replicas if {
	run([web(1), hpa(2)]) == {"noPdb"}
}

# Size is the range the HPA gives (CONTROLS.md Semantics): a PDB is needed once maxReplicas >= 2.
test_hpa_min_one_max_five_needs_a_pdb if {
	run([web(3), hpa(1)]) == {"noPdb"}
}

test_hpa_of_one_needs_no_pdb if {
	run([web(3), object.union(hpa(1), {"spec": {"maxReplicas": 1}})]) == set()
}

test_keda_scaled_object_range_counts if {
	keda := {
		"apiVersion": "keda.sh/v1alpha1",
		"kind": "ScaledObject",
		"metadata": {"name": "web", "namespace": "erlmcp"},
		"spec": {"scaleTargetRef": {"name": "web"}, "minReplicaCount": 0, "maxReplicaCount": 4},
	}
	run([web(1), keda]) == {"noPdb"}
}

# minAvailable 2 blocks every disruption at size 2 of a 2-5 range, though not at 5.
test_blocking_checked_at_every_size if {
	run([web(1), object.union(hpa(2), {"spec": {"maxReplicas": 5}}), pdb("web", {"app": "web"}, {"minAvailable": 2})]) == {"pdbBlocksDisruption"}
}

test_hpa_min_used_for_blocking if {
	run([web(1), hpa(3), pdb("web", {"app": "web"}, {"minAvailable": 2})]) == set()
}

test_dangling_pdb_fails if {
	run([pdb("x", {"app": "none"}, {"maxUnavailable": 1})]) == {"pdbSelectsNothing"}
}

test_pdb_without_selector_selects_nothing if {
	run([web(1), object.remove(pdb("x", {}, {"maxUnavailable": 1}), ["spec"])]) == {"pdbSelectsNothing"}
}

test_pdb_selecting_two_fails if {
	run([web(1), object.union(web(1), {"metadata": {"name": "web2"}}), pdb("x", {"app": "web"}, {"maxUnavailable": 1})]) == {"pdbSelectsMany"}
}

test_max_unavailable_zero_fails if {
	run([web(2), pdb("web", {"app": "web"}, {"maxUnavailable": 0})]) == {"pdbBlocksDisruption"}
}

test_min_available_percent_fails if {
	run([web(2), pdb("web", {"app": "web"}, {"minAvailable": "100%"})]) == {"pdbBlocksDisruption"}
}

test_erlang_min_available_below_quorum if {
	run([sts(5), pdb("erlmcp", labels, {"minAvailable": 2})]) == {"pdbBreaksQuorum"}
}

test_erlang_max_unavailable_percent_above_quorum if {
	run([sts(5), pdb("erlmcp", labels, {"maxUnavailable": "50%"})]) == {"pdbBreaksQuorum"}
}

test_erlang_min_available_quorum_passes if {
	run([sts(5), pdb("erlmcp", labels, {"minAvailable": 3})]) == set()
}

located(resources) := {[v.details.messageId, v.details.resource.name, v.details.path] | some v in control.violation with input as {"resources": resources}}

test_paths_point_at_the_budget_or_selector_to_change if {
	located([sts(3), pdb("erlmcp", labels, {"minAvailable": 1})]) == {["pdbBreaksQuorum", "erlmcp", ["spec", "minAvailable"]]}
	located([sts(3), pdb("erlmcp", labels, {"maxUnavailable": 0})]) == {["pdbBlocksDisruption", "erlmcp", ["spec", "maxUnavailable"]]}
	located([sts(3), pdb("erlmcp", labels, {"maxUnavailable": 2})]) == {["pdbBreaksQuorum", "erlmcp", ["spec", "maxUnavailable"]]}
	located([web(3), pdb("other", {"app": "none"}, {"maxUnavailable": 1})]) == {
		["noPdb", "web", ["spec", "replicas"]],
		["pdbSelectsNothing", "other", ["spec", "selector"]],
	}
}
