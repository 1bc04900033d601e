package erlmcp.controls.iam_no_privileged_bindings_test

import data.erlmcp.controls.iam_no_privileged_bindings as control

binding(kind, role_kind, role, subjects) := {"review": {"object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "b", "namespace": "erlmcp"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
	"subjects": subjects,
}}}

sa := [{"kind": "ServiceAccount", "name": "erlmcp"}]

ids(vs) := {v.details.messageId | some v in vs}

test_custom_role_passes if {
	count(control.violation) == 0 with input as binding("RoleBinding", "Role", "erlmcp", sa)
}

test_view_passes if {
	count(control.violation) == 0 with input as binding("RoleBinding", "ClusterRole", "view", sa)
}

test_namespaced_role_named_admin_passes if {
	count(control.violation) == 0 with input as binding("RoleBinding", "Role", "admin", sa)
}

test_builtin_admin_roles_fail if {
	every role in ["cluster-admin", "admin", "edit"] {
		ids(control.violation) == {"privilegedRole"} with input as binding("ClusterRoleBinding", "ClusterRole", role, sa)
	}
}

test_system_masters_fails if {
	ids(control.violation) == {"superuserSubject"} with input as binding("ClusterRoleBinding", "ClusterRole", "x", [{"kind": "Group", "name": "system:masters"}])
}

test_public_groups_fail if {
	every group in ["system:anonymous", "system:unauthenticated", "system:authenticated"] {
		ids(control.violation) == {"publicSubject"} with input as binding("RoleBinding", "Role", "x", [{"kind": "Group", "name": group}])
	}
}

test_no_subjects_passes if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "RoleBinding", "metadata": {"name": "b"}, "roleRef": {"kind": "Role", "name": "x"}}}}
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "ConfigMap", "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"name": "system:masters"}]}}}
}

test_paths_point_at_the_role_name_and_the_subject if {
	vs := control.violation with input as binding("ClusterRoleBinding", "ClusterRole", "cluster-admin", [
		{"kind": "ServiceAccount", "name": "erlmcp"},
		{"kind": "Group", "name": "system:masters"},
		{"kind": "Group", "name": "system:authenticated"},
	])
	{[v.details.messageId, v.details.path] | some v in vs} == {
		["privilegedRole", ["roleRef", "name"]],
		["superuserSubject", ["subjects", 1]],
		["publicSubject", ["subjects", 2]],
	}
}
