package erlmcp.controls.avl_quorum_replicas_test

import data.erlmcp.controls.avl_quorum_replicas as control

sts(spec) := {"review": {"object": {
	"apiVersion": "apps/v1",
	"kind": "StatefulSet",
	"metadata": {"name": "erlmcp", "namespace": "erlmcp"},
	"spec": object.union(
		{"template": {"spec": {"containers": [{"name": "erlmcp", "ports": [{"name": "epmd", "containerPort": 4369}]}]}}},
		spec,
	),
}}}

good := {"replicas": 3, "minReadySeconds": 10}

ids(vs) := {v.details.messageId | some v in vs}

test_quorum_statefulset_passes if {
	count(control.violation) == 0 with input as sts(good)
}

test_non_erlang_statefulset_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {
		"kind": "StatefulSet",
		"metadata": {"name": "db"},
		"spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "pg"}]}}},
	}}}
}

test_unset_replicas_fails_min if {
	ids(control.violation) == {"tooFewReplicas"} with input as sts({"minReadySeconds": 5})
}

test_even_replicas_fails if {
	ids(control.violation) == {"evenReplicas"} with input as sts({"replicas": 4, "minReadySeconds": 5})
}

test_two_replicas_fails_both if {
	ids(control.violation) == {"tooFewReplicas", "evenReplicas"} with input as sts({"replicas": 2, "minReadySeconds": 5})
}

test_relaxed_params if {
	count(control.violation) == 0 with input as object.union(sts({"replicas": 2, "minReadySeconds": 5}), {"parameters": {"minReplicas": 1, "requireOdd": false}})
}

test_on_delete_fails if {
	ids(control.violation) == {"updateStrategyNotRolling"} with input as sts(object.union(good, {"updateStrategy": {"type": "OnDelete"}}))
}

test_zero_min_ready_fails if {
	ids(control.violation) == {"noMinReadySeconds"} with input as sts({"replicas": 3, "minReadySeconds": 0})
}

test_paths_point_at_the_spec_fields if {
	located := {v.details.messageId: v.details.path | some v in control.violation} with input as sts({"replicas": 2, "updateStrategy": {"type": "OnDelete"}})
	located == {
		"tooFewReplicas": ["spec", "replicas"],
		"evenReplicas": ["spec", "replicas"],
		"updateStrategyNotRolling": ["spec", "updateStrategy", "type"],
		"noMinReadySeconds": ["spec"],
	}
}
