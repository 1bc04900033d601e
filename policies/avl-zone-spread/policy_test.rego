package erlmcp.controls.avl_zone_spread_test

import data.erlmcp.controls.avl_zone_spread as control

labels := {"app.kubernetes.io/name": "erlmcp"}

spread := {
	"topologyKey": "topology.kubernetes.io/zone",
	"maxSkew": 1,
	"whenUnsatisfiable": "DoNotSchedule",
	"labelSelector": {"matchLabels": labels},
}

sts(replicas, constraints) := {"review": {"object": {
	"apiVersion": "apps/v1",
	"kind": "StatefulSet",
	"metadata": {"name": "erlmcp", "namespace": "erlmcp"},
	"spec": {"replicas": replicas, "template": {
		"metadata": {"labels": labels},
		"spec": {"topologySpreadConstraints": constraints, "containers": [{"name": "erlmcp"}]},
	}},
}}}

test_spread_passes if {
	count(control.violation) == 0 with input as sts(3, [spread])
}

test_single_replica_ignored if {
	count(control.violation) == 0 with input as sts(1, [])
}

test_missing_fails if {
	count(control.violation) == 1 with input as sts(3, [])
}

test_schedule_anyway_fails if {
	count(control.violation) == 1 with input as sts(3, [object.union(spread, {"whenUnsatisfiable": "ScheduleAnyway"})])
}

test_skew_two_fails if {
	count(control.violation) == 1 with input as sts(3, [object.union(spread, {"maxSkew": 2})])
}

test_hostname_key_fails if {
	count(control.violation) == 1 with input as sts(3, [object.union(spread, {"topologyKey": "kubernetes.io/hostname"})])
}

test_other_selector_fails if {
	count(control.violation) == 1 with input as sts(3, [object.union(spread, {"labelSelector": {"matchLabels": {"app": "x"}}})])
}

test_path_points_at_the_constraints if {
	[v.details.path | some v in control.violation] == [["spec", "template", "spec", "topologySpreadConstraints"]] with input as sts(3, [object.union(spread, {"maxSkew": 2})])
}
