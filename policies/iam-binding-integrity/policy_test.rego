package erlmcp.controls.iam_binding_integrity_test

import data.erlmcp.controls.iam_binding_integrity as control

sa(ns, name) := {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}}

role(kind, ns, name) := {"kind": kind, "metadata": {"name": name, "namespace": ns}, "rules": []}

binding(kind, ns, role_kind, role_name, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "b", "namespace": ns},
	"roleRef": {"kind": role_kind, "name": role_name},
	"subjects": subjects,
}

app := {"kind": "ServiceAccount", "name": "app"}

ids(resources) := {v.details.messageId | some v in vs} if {
	vs := control.violation with input as {"resources": resources}
}

test_complete_role_binding_passes if {
	ids([sa("erlmcp", "app"), role("Role", "erlmcp", "r"), binding("RoleBinding", "erlmcp", "Role", "r", [app])]) == set()
}

test_builtin_and_system_roles_pass if {
	ids([
		sa("erlmcp", "app"),
		binding("RoleBinding", "erlmcp", "ClusterRole", "view", [app]),
		binding("ClusterRoleBinding", "", "ClusterRole", "system:discovery", [{"kind": "Group", "name": "devs"}]),
	]) == set()
}

test_cluster_role_via_role_binding_passes if {
	ids([sa("erlmcp", "app"), role("ClusterRole", "", "r"), binding("RoleBinding", "erlmcp", "ClusterRole", "r", [app])]) == set()
}

test_system_namespace_cluster_binding_passes if {
	ids([
		sa("kube-system", "ctrl"), role("ClusterRole", "", "r"),
		binding("ClusterRoleBinding", "", "ClusterRole", "r", [{"kind": "ServiceAccount", "name": "ctrl", "namespace": "kube-system"}]),
	]) == set()
}

test_missing_role if {
	ids([sa("erlmcp", "app"), binding("RoleBinding", "erlmcp", "Role", "r", [app])]) == {"roleRefMissing"}
}

test_role_in_other_namespace if {
	ids([sa("erlmcp", "app"), role("Role", "other", "r"), binding("RoleBinding", "erlmcp", "Role", "r", [app])]) == {"roleRefMissing"}
}

test_builtin_name_as_role_is_missing if {
	ids([sa("erlmcp", "app"), binding("RoleBinding", "erlmcp", "Role", "view", [app])]) == {"roleRefMissing"}
}

test_missing_service_account if {
	ids([role("Role", "erlmcp", "r"), binding("RoleBinding", "erlmcp", "Role", "r", [app])]) == {"serviceAccountMissing"}
}

test_cluster_binding_to_app_sa if {
	ids([
		sa("erlmcp", "app"), role("ClusterRole", "", "r"),
		binding("ClusterRoleBinding", "", "ClusterRole", "r", [{"kind": "ServiceAccount", "name": "app", "namespace": "erlmcp"}]),
	]) == {"clusterBindingToAppServiceAccount"}
}

test_finding_data if {
	some v in control.violation with input as {"resources": [binding("RoleBinding", "erlmcp", "Role", "r", [])]}
	v.details.data == {"kind": "RoleBinding", "binding": "b", "roleKind": "Role", "role": "r"}
}

group(name) := {"kind": "Group", "name": name, "apiGroup": "rbac.authorization.k8s.io"}

test_cluster_binding_to_service_account_groups if {
	ids([role("ClusterRole", "", "r"), binding("ClusterRoleBinding", "", "ClusterRole", "r", [group("system:serviceaccounts:erlmcp")])]) == {"clusterBindingToAppServiceAccount"}
	ids([role("ClusterRole", "", "r"), binding("ClusterRoleBinding", "", "ClusterRole", "r", [group("system:serviceaccounts")])]) == {"clusterBindingToAppServiceAccount"}
	ids([role("ClusterRole", "", "r"), binding("ClusterRoleBinding", "", "ClusterRole", "r", [group("system:authenticated")])]) == {"clusterBindingToAppServiceAccount"}
}

test_groups_without_application_service_accounts_pass if {
	ids([role("ClusterRole", "", "r"), binding("ClusterRoleBinding", "", "ClusterRole", "r", [
		group("system:serviceaccounts:kube-system"),
		group("system:unauthenticated"),
		group("system:serviceaccounts:"),
		group("erlmcp-developers"),
	])]) == set()
}

test_service_account_user_subject if {
	user := {"kind": "User", "name": "system:serviceaccount:erlmcp:gone"}
	ids([role("Role", "erlmcp", "r"), binding("RoleBinding", "erlmcp", "Role", "r", [user])]) == {"serviceAccountMissing"}
	ids([sa("erlmcp", "gone"), role("Role", "erlmcp", "r"), binding("RoleBinding", "erlmcp", "Role", "r", [user])]) == set()
}

paths(resources) := {[v.details.messageId, v.details.path] | some v in vs} if {
	vs := control.violation with input as {"resources": resources}
}

test_paths_point_at_the_role_ref_and_the_subject if {
	paths([binding("ClusterRoleBinding", "", "ClusterRole", "gone", [
		{"kind": "Group", "name": "devs"},
		{"kind": "ServiceAccount", "name": "app", "namespace": "erlmcp"},
		{"kind": "Group", "name": "system:serviceaccounts"},
	])]) == {
		["roleRefMissing", ["roleRef"]],
		["serviceAccountMissing", ["subjects", 1]],
		["clusterBindingToAppServiceAccount", ["subjects", 1]],
		["clusterBindingToAppServiceAccount", ["subjects", 2]],
	}
}
