package erlmcp.controls.iam_binding_integrity

import data.lib.k8s
import data.lib.rbac

resources := object.get(input, "resources", [])

builtin_cluster_roles := {"cluster-admin", "admin", "edit", "view"}

system_namespaces := {"kube-system", "kube-public", "kube-node-lease"}

bindings := [b | some b in resources; rbac.is_binding(b)]

service_account_keys := {concat("/", [k8s.namespace(sa), k8s.name(sa)]) | some sa in resources; sa.kind == "ServiceAccount"}

violation contains out(b, "roleRefMissing", {"roleKind": ref_kind(b), "role": ref_name(b)}) if {
	some b in bindings
	not startswith(ref_name(b), "system:")
	not role_exists(b)
}

violation contains out(b, "serviceAccountMissing", {"subject": sa}) if {
	some b in bindings
	some sa in rbac.service_account_subjects(b)
	not sa in service_account_keys
}

violation contains out(b, "clusterBindingToAppServiceAccount", {"subject": sa}) if {
	some b in bindings
	b.kind == "ClusterRoleBinding"
	some sa in rbac.service_account_subjects(b)
	not split(sa, "/")[0] in system_namespaces
}

ref_kind(b) := object.get(b, ["roleRef", "kind"], "")

ref_name(b) := object.get(b, ["roleRef", "name"], "")

role_exists(b) if {
	ref_kind(b) == "ClusterRole"
	builtin_cluster_roles[ref_name(b)]
}

role_exists(b) if {
	some r in resources
	r.kind == ref_kind(b)
	k8s.name(r) == ref_name(b)
	in_scope(r, b)
}

in_scope(role, _) if role.kind == "ClusterRole"

in_scope(role, binding) if {
	role.kind == "Role"
	k8s.namespace(role) == k8s.namespace(binding)
}

out(b, message_id, extra) := {
	"msg": concat("", ["iam-binding-integrity: ", message_id, " in ", b.kind, " ", k8s.namespace(b), "/", k8s.name(b)]),
	"details": {
		"messageId": message_id,
		"data": object.union({"kind": b.kind, "binding": k8s.name(b)}, extra),
		"resource": k8s.ref(b),
	},
}
