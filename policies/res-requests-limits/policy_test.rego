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
