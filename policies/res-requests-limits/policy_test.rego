package erlmcp.controls.res_requests_limits_test

import data.erlmcp.controls.res_requests_limits as control

pod(resources) := {"review": {"object": {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p", "namespace": "erlmcp"},
	"spec": {
		"containers": [{"name": "app", "resources": resources}],
		"ephemeralContainers": [{"name": "debug"}],
	},
}}}

ids(vs) := {v.details.messageId | some v in vs}

test_complete_resources_pass if {
	count(control.violation) == 0 with input as pod({"requests": {"cpu": "100m", "memory": "1Gi"}, "limits": {"memory": "1Gi"}})
}

test_nothing_declared_fails_three_times if {
	ids(control.violation) == {"cpuRequestMissing", "memoryRequestMissing", "memoryLimitMissing"} with input as pod({})
}

test_memory_limit_missing if {
	ids(control.violation) == {"memoryLimitMissing"} with input as pod({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1"}})
}

test_non_workload_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "ConfigMap"}}}
}

test_paths_point_at_the_missing_quantity_or_its_closest_parent if {
	vs := control.violation with input as pod({"requests": {"cpu": "1"}, "limits": {"cpu": "1"}})
	{[v.details.messageId, v.details.path] | some v in vs} == {
		["memoryRequestMissing", ["spec", "containers", 0, "resources", "requests"]],
		["memoryLimitMissing", ["spec", "containers", 0, "resources", "limits"]],
	}
	{v.details.path | some v in control.violation} == {["spec", "containers", 1]} with input as {"review": {"object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi"}}}, {"name": "b"}], "ephemeralContainers": [{"name": "debug"}]}}}}
}
