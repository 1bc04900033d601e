package erlmcp.controls.pod_no_host_access_test

import data.erlmcp.controls.pod_no_host_access as control

pod(spec) := {"review": {"object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "erlmcp"}, "spec": spec}}}

ctr(extra) := object.union({"name": "app", "image": "app"}, extra)

ids(vs) := {v.details.messageId | some v in vs}

test_plain_pod_passes if {
	count(control.violation) == 0 with input as pod({
		"containers": [ctr({"ports": [{"containerPort": 80, "hostPort": 0}]})],
		"volumes": [{"name": "tmp", "emptyDir": {}}],
		"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]},
	})
}

test_host_namespaces_fail if {
	vs := control.violation with input as pod({"hostNetwork": true, "hostPID": true, "hostIPC": false, "containers": [ctr({})]})
	{v.details.data.field | some v in vs} == {"hostNetwork", "hostPID"}
}

test_privileged_init_container_fails if {
	ids(control.violation) == {"privilegedContainer"} with input as pod({"containers": [ctr({})], "initContainers": [ctr({"securityContext": {"privileged": true}})]})
}

test_host_path_fails if {
	ids(control.violation) == {"hostPathVolume"} with input as pod({"containers": [ctr({})], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]})
}

test_host_port_fails if {
	ids(control.violation) == {"hostPort"} with input as pod({"containers": [ctr({"ports": [{"containerPort": 4369, "hostPort": 4369}]})]})
}

test_unmasked_proc_fails if {
	ids(control.violation) == {"unmaskedProcMount"} with input as pod({"containers": [ctr({"securityContext": {"procMount": "Unmasked"}})]})
}

test_pod_level_host_process_fails if {
	ids(control.violation) == {"hostProcess"} with input as pod({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [ctr({})]})
}

test_container_overrides_host_process if {
	count(control.violation) == 0 with input as pod({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [ctr({"securityContext": {"windowsOptions": {"hostProcess": false}}})]})
}

test_unsafe_sysctl_fails if {
	ids(control.violation) == {"unsafeSysctl"} with input as pod({"containers": [ctr({})], "securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}})
}

test_non_workload_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Service", "spec": {"hostNetwork": true}}}}
}

paths(vs) := {v.details.path | some v in vs}

test_paths_point_at_the_offending_fields if {
	paths(control.violation) == {
		["spec", "hostPID"],
		["spec", "initContainers", 0, "securityContext", "privileged"],
		["spec", "containers", 0, "ports", 1, "hostPort"],
		["spec", "volumes", 1, "hostPath"],
		["spec", "securityContext", "sysctls", 1],
	} with input as pod({
		"hostPID": true,
		"containers": [ctr({"ports": [{"containerPort": 80}, {"containerPort": 4369, "hostPort": 4369}]})],
		"initContainers": [ctr({"securityContext": {"privileged": true}})],
		"volumes": [{"name": "t", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/"}}],
		"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}, {"name": "kernel.msgmax", "value": "1"}]},
	})
}

test_host_process_points_where_it_is_set if {
	paths(control.violation) == {["spec", "securityContext", "windowsOptions", "hostProcess"]} with input as pod({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [ctr({})]})
	paths(control.violation) == {["spec", "containers", 0, "securityContext", "windowsOptions", "hostProcess"]} with input as pod({"containers": [ctr({"securityContext": {"windowsOptions": {"hostProcess": true}}})]})
}
