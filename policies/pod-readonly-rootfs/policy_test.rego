package erlmcp.controls.pod_readonly_rootfs_test

import data.erlmcp.controls.pod_readonly_rootfs as control

pod(containers, init) := {"review": {"object": {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p", "namespace": "erlmcp"},
	"spec": {"containers": containers, "initContainers": init},
}}}

ro(name) := {"name": name, "securityContext": {"readOnlyRootFilesystem": true}}

test_read_only_passes if {
	count(control.violation) == 0 with input as pod([ro("a")], [ro("b")])
}

test_unset_fails if {
	vs := control.violation with input as pod([ro("a")], [{"name": "init"}])
	[v.details.data.container | some v in vs] == ["init"]
}

test_false_fails if {
	count(control.violation) == 1 with input as pod([{"name": "a", "securityContext": {"readOnlyRootFilesystem": false}}], [])
}

test_non_workload_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Service", "spec": {"containers": [{"name": "x"}]}}}}
}

test_paths_point_at_the_setting_or_the_container_lacking_it if {
	vs := control.violation with input as pod([{"name": "a", "securityContext": {"readOnlyRootFilesystem": false}}], [{"name": "init"}])
	{v.details.path | some v in vs} == {
		["spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"],
		["spec", "initContainers", 0],
	}
}
