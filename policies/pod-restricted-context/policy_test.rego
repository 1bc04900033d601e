package erlmcp.controls.pod_restricted_context_test

import data.erlmcp.controls.pod_restricted_context as control

good_pod_context := {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}

good_ctx := {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}

pod(pod_ctx, ctx, volumes) := {"review": {"object": {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p", "namespace": "erlmcp"},
	"spec": {
		"securityContext": pod_ctx,
		"containers": [{"name": "app", "image": "app", "securityContext": ctx}],
		"volumes": volumes,
	},
}}}

ids(vs) := {v.details.messageId | some v in vs}

test_restricted_pod_passes if {
	count(control.violation) == 0 with input as pod(good_pod_context, good_ctx, [{"name": "t", "emptyDir": {}}, {"name": "d"}])
}

test_container_level_settings_pass if {
	ctx := object.union(good_ctx, {"runAsNonRoot": true, "runAsUser": 1000, "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}})
	count(control.violation) == 0 with input as pod({}, ctx, [])
}

test_escalation_fails if {
	ids(control.violation) == {"allowPrivilegeEscalation"} with input as pod(good_pod_context, {"capabilities": {"drop": ["ALL"]}}, [])
}

test_container_overrides_pod_run_as_non_root if {
	ids(control.violation) == {"runAsNonRoot"} with input as pod(good_pod_context, object.union(good_ctx, {"runAsNonRoot": false}), [])
}

test_root_user_fails if {
	ids(control.violation) == {"runAsUser"} with input as pod(object.union(good_pod_context, {"runAsUser": 0}), good_ctx, [])
}

test_unset_user_fails if {
	ids(control.violation) == {"runAsUser"} with input as pod(object.remove(good_pod_context, ["runAsUser"]), good_ctx, [])
}

test_unconfined_seccomp_fails if {
	ids(control.violation) == {"seccompProfile"} with input as pod(good_pod_context, object.union(good_ctx, {"seccompProfile": {"type": "Unconfined"}}), [])
}

test_no_drop_all_fails if {
	ids(control.violation) == {"capabilitiesDrop"} with input as pod(good_pod_context, {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["NET_RAW"]}}, [])
}

test_added_capabilities_listed if {
	vs := control.violation with input as pod(good_pod_context, {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN", "NET_BIND_SERVICE", "NET_ADMIN"]}}, [])
	[v.details.data.capabilities | some v in vs] == ["NET_ADMIN, SYS_ADMIN"]
}

test_host_path_volume_fails if {
	vs := control.violation with input as pod(good_pod_context, good_ctx, [{"name": "h", "hostPath": {"path": "/"}}])
	[v.details.data.type | some v in vs] == ["hostPath"]
}

test_non_workload_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Service", "spec": {}}}}
}

paths(vs) := {v.details.messageId: v.details.path | some v in vs}

test_paths_point_at_the_container_or_pod_setting if {
	# The pod sets runAsUser: 0; the container sets an unconfined seccomp profile and lacks the rest.
	paths(control.violation) == {
		"allowPrivilegeEscalation": ["spec", "containers", 0, "securityContext"],
		"capabilitiesDrop": ["spec", "containers", 0, "securityContext", "capabilities"],
		"capabilitiesAdd": ["spec", "containers", 0, "securityContext", "capabilities", "add"],
		"runAsNonRoot": ["spec", "containers", 0, "securityContext"],
		"runAsUser": ["spec", "securityContext", "runAsUser"],
		"seccompProfile": ["spec", "containers", 0, "securityContext", "seccompProfile", "type"],
		"volumeType": ["spec", "volumes", 1, "hostPath"],
	} with input as pod(
		{"runAsUser": 0},
		{"seccompProfile": {"type": "Unconfined"}, "capabilities": {"add": ["SYS_ADMIN"]}},
		[{"name": "t", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/"}}],
	)
}

test_missing_pod_and_container_settings_point_at_the_container if {
	vs := control.violation with input as pod({}, {}, [])
	{v.details.path | some v in vs} == {["spec", "containers", 0, "securityContext"]}
}

test_unconfined_app_armor_fails_at_pod_and_container_level if {
	vs := control.violation with input as pod(object.union(good_pod_context, {"appArmorProfile": {"type": "Unconfined"}}), object.union(good_ctx, {"appArmorProfile": {"type": "Unconfined"}}), [])
	{[v.details.messageId, v.details.data.where] | some v in vs} == {["appArmorProfile", "the pod"], ["appArmorProfile", "container app"]}
}

test_confined_app_armor_passes if {
	count(control.violation) == 0 with input as pod(object.union(good_pod_context, {"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}}), object.union(good_ctx, {"appArmorProfile": {"type": "RuntimeDefault"}}), [])
}

annotated(annotations) := object.union(pod(good_pod_context, good_ctx, []), {"review": {"object": {"metadata": {"annotations": annotations}}}})

test_app_armor_annotation_judged_by_value if {
	vs := control.violation with input as annotated({
		"container.apparmor.security.beta.kubernetes.io/app": "unconfined",
		"container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
		"container.apparmor.security.beta.kubernetes.io/c": "localhost/edge",
		"other.example.com/app": "unconfined",
	})
	{[v.details.data.where, v.details.data.profile] | some v in vs} == {["container app", "unconfined"]}
}

test_selinux_outside_container_types_fails if {
	vs := control.violation with input as pod(object.union(good_pod_context, {"seLinuxOptions": {"type": "spc_t"}}), object.union(good_ctx, {"seLinuxOptions": {"type": "container_t", "user": "system_u", "role": "system_r"}}), [])
	{[v.details.data.where, v.details.data.field] | some v in vs} == {["the pod", "type"], ["container app", "user"], ["container app", "role"]}
}

test_selinux_container_type_and_level_pass if {
	count(control.violation) == 0 with input as pod(object.union(good_pod_context, {"seLinuxOptions": {"type": "container_init_t", "level": "s0:c1,c2"}}), good_ctx, [])
}
