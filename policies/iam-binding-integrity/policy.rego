package erlmcp.controls.iam_binding_integrity

import data.lib.k8s
import data.lib.rbac
import data.lib.violation

control_id := "iam-binding-integrity"

resources := object.get(input, "resources", [])

builtin_cluster_roles := {"cluster-admin", "admin", "edit", "view"}

system_namespaces := {"kube-system", "kube-public", "kube-node-lease"}

bindings := [b | some b in resources; rbac.is_binding(b)]

service_account_keys := {concat("/", [k8s.namespace(sa), k8s.name(sa)]) | some sa in resources; sa.kind == "ServiceAccount"}

violation contains violation.at(control_id, "roleRefMissing", b, ["roleRef"], binding_data(b, {"roleKind": ref_kind(b), "role": ref_name(b)})) if {
	some b in bindings
	not startswith(ref_name(b), "system:")
	not role_exists(b)
}

violation contains violation.at(control_id, "serviceAccountMissing", b, ["subjects", i], binding_data(b, {"subject": sa})) if {
	some b in bindings
	some [i, sa] in rbac.service_account_subject_entries(b)

	# A lookup, not `sa in service_account_keys`: on the wasm target `in` scans the set.
	not service_account_keys[sa]
}

violation contains violation.at(control_id, "clusterBindingToAppServiceAccount", b, ["subjects", i], binding_data(b, {"subject": sa})) if {
	some b in bindings
	b.kind == "ClusterRoleBinding"
	some [i, sa] in rbac.service_account_subject_entries(b)
	not split(sa, "/")[0] in system_namespaces
}

# A Group subject that contains application ServiceAccounts (system:serviceaccounts, system:authenticated,
# system:serviceaccounts:<ns> outside the system namespaces) grants cluster-wide to each of them.
violation contains violation.at(control_id, "clusterBindingToAppServiceAccount", b, ["subjects", i], binding_data(b, {"subject": group})) if {
	some b in bindings
	b.kind == "ClusterRoleBinding"
	some [i, group] in rbac.service_account_group_entries(b)
	not system_namespace_group(group)
}

system_namespace_group(group) if {
	some ns in system_namespaces
	group == concat(":", [rbac.sa_group, ns])
}

ref_kind(b) := object.get(b, ["roleRef", "kind"], "")

ref_name(b) := object.get(b, ["roleRef", "name"], "")

role_exists(b) if {
	ref_kind(b) == "ClusterRole"
	builtin_cluster_roles[ref_name(b)]
}

# A Role is in scope of the bindings of its namespace, a ClusterRole of every binding (indexed: no binding × role scan).
cluster_role_names := {k8s.name(r) | some r in resources; r.kind == "ClusterRole"}

role_keys := {[k8s.namespace(r), k8s.name(r)] | some r in resources; r.kind == "Role"}

role_exists(b) if {
	ref_kind(b) == "ClusterRole"
	cluster_role_names[ref_name(b)]
}

role_exists(b) if {
	ref_kind(b) == "Role"
	role_keys[[k8s.namespace(b), ref_name(b)]]
}

binding_data(b, extra) := object.union({"kind": b.kind, "binding": k8s.name(b)}, extra)
