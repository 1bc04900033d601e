package erlmcp.controls.avl_probes_and_shutdown_test

import data.erlmcp.controls.avl_probes_and_shutdown as control

probe := {"httpGet": {"path": "/health", "port": 8080}}

erl := {
	"name": "erlmcp",
	"ports": [{"name": "epmd", "containerPort": 4369}],
	"readinessProbe": probe,
	"livenessProbe": probe,
	"startupProbe": probe,
	"lifecycle": {"preStop": {"exec": {"command": ["leave"]}}},
}

workload(kind, pod_spec) := {"review": {"object": {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": "w", "namespace": "erlmcp"},
	"spec": {"template": {"spec": pod_spec}},
}}}

ids(vs) := {v.details.messageId | some v in vs}

test_erlang_node_passes if {
	count(control.violation) == 0 with input as workload("StatefulSet", {"containers": [erl], "terminationGracePeriodSeconds": 60})
}

test_unset_grace_counts_as_30 if {
	count(control.violation) == 0 with input as workload("StatefulSet", {"containers": [erl]})
}

test_job_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "x"}]}}}}}}
}

test_non_erlang_without_probes_fails if {
	ids(control.violation) == {"missingReadinessProbe", "missingLivenessProbe"} with input as workload("Deployment", {"containers": [{"name": "web"}]})
}

test_non_erlang_needs_no_startup if {
	count(control.violation) == 0 with input as workload("Deployment", {"containers": [{"name": "web", "readinessProbe": probe, "livenessProbe": probe}]})
}

test_erlang_without_startup_fails if {
	ids(control.violation) == {"missingStartupProbe"} with input as workload("StatefulSet", {"containers": [object.remove(erl, ["startupProbe"])]})
}

test_erlang_without_pre_stop_fails if {
	ids(control.violation) == {"missingPreStop"} with input as workload("StatefulSet", {"containers": [object.remove(erl, ["lifecycle"])]})
}

test_short_grace_fails if {
	ids(control.violation) == {"shortGracePeriod"} with input as workload("StatefulSet", {"containers": [erl], "terminationGracePeriodSeconds": 10})
}

test_grace_param if {
	count(control.violation) == 0 with input as object.union(
		workload("StatefulSet", {"containers": [erl], "terminationGracePeriodSeconds": 10}),
		{"parameters": {"minTerminationGracePeriodSeconds": 5}},
	)
}

located(vs) := {v.details.messageId: v.details.path | some v in vs}

test_paths_point_at_the_container_or_pod_field if {
	sidecar := {"name": "proxy", "readinessProbe": probe, "livenessProbe": probe}
	bare_erl := object.remove(erl, ["startupProbe", "lifecycle"])
	located(control.violation) == {
		"missingStartupProbe": ["spec", "template", "spec", "containers", 1],
		"missingPreStop": ["spec", "template", "spec", "containers", 1],
		"shortGracePeriod": ["spec", "template", "spec", "terminationGracePeriodSeconds"],
	} with input as workload("StatefulSet", {"containers": [sidecar, bare_erl], "terminationGracePeriodSeconds": 5})
	located(control.violation) == {"missingLivenessProbe": ["spec", "template", "spec", "containers", 0]} with input as workload("Deployment", {"containers": [{"name": "web", "readinessProbe": probe}]})
}

test_erlang_settings_of_a_pod_whose_erlang_runs_in_an_init_container_point_at_the_first_container if {
	web := {"name": "web", "readinessProbe": probe, "livenessProbe": probe}
	located(control.violation) == {
		"missingStartupProbe": ["spec", "template", "spec", "containers", 0],
		"missingPreStop": ["spec", "template", "spec", "containers", 0],
	} with input as workload("StatefulSet", {"containers": [web], "initContainers": [erl]})
}
