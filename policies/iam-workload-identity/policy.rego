package erlmcp.controls.iam_workload_identity

import data.lib.k8s
import data.lib.rbac
import data.lib.violation

control_id := "iam-workload-identity"

resources := object.get(input, "resources", [])

read_only_verbs := {"get", "list", "watch"}

discovery_resources := {"pods", "endpoints", "endpointslices"}

discovery_groups := {"", "discovery.k8s.io"}

service_account_keys := {key(sa) | some sa in resources; sa.kind == "ServiceAccount"}

key(obj) := concat("/", [k8s.namespace(obj), k8s.name(obj)])

sa_name(w) := object.get(k8s.pod_spec(w), "serviceAccountName", "")

effective_sa(w) := concat("/", [k8s.namespace(w), name]) if {
	name := sa_name(w)
	name != ""
} else := concat("/", [k8s.namespace(w), "default"])

# Each workload with what the rules read of it (its ServiceAccount, whether the token is mounted, the
# bindings that reach it), computed once per workload: the rules below only look these up.
workloads := [{"w": w, "name": sa_name(w), "sa": sa, "bindings": binding_indexes_of(sa)} |
	some w in resources
	k8s.is_workload(w)
	sa := effective_sa(w)
]

violation contains violation.at(control_id, "noServiceAccount", f.w, sa_name_path(f.w), workload_data(f, {})) if {
	some f in workloads
	f.name == ""
}

violation contains violation.at(control_id, "defaultServiceAccount", f.w, sa_name_path(f.w), workload_data(f, {})) if {
	some f in workloads
	f.name == "default"
}

violation contains violation.at(control_id, "serviceAccountMissing", f.w, sa_name_path(f.w), workload_data(f, {})) if {
	some f in workloads
	not f.name in {"", "default"}

	# A lookup, not `f.sa in service_account_keys`: on the wasm target `in` scans the set.
	not service_account_keys[f.sa]
}

violation contains violation.at(control_id, "tokenAutomountedUnneeded", f.w, automount_path(f.w), workload_data(f, {})) if {
	some f in workloads
	count(f.bindings) == 0
	token_mounted(f.w)
}

violation contains violation.at(control_id, "tokenAutomountedOverprivileged", f.w, automount_path(f.w), workload_data(f, {"binding": k8s.name(b), "role": object.get(b, ["roleRef", "name"], "")})) if {
	some f in workloads
	count(f.bindings) > 0
	token_mounted(f.w)
	some i in f.bindings
	b := binding_subjects[i][0]
	not read_only_in_namespace(b, k8s.namespace(f.w))
}

# Where the pod names its ServiceAccount, and where it turns the token off (cut back to the pod spec when unset).
sa_name_path(w) := array.concat(k8s.pod_spec_path(w), ["serviceAccountName"])

automount_path(w) := array.concat(k8s.pod_spec_path(w), ["automountServiceAccountToken"])

# The pod's setting wins over the ServiceAccount's; unset on both means mounted.
token_mounted(w) if k8s.pod_spec(w).automountServiceAccountToken == true

token_mounted(w) if {
	not has_key(k8s.pod_spec(w), "automountServiceAccountToken")
	not sa_disables_automount(effective_sa(w))
}

sa_disables_automount(sa_key) if automount_disabled[sa_key]

automount_disabled := {key(sa) | some sa in resources; sa.kind == "ServiceAccount"; sa.automountServiceAccountToken == false}

has_key(obj, k) if _ = obj[k]

# Each binding with its ServiceAccount subjects, computed once (not once per workload).
binding_subjects := [[b, rbac.service_account_subjects(b)] | some b in resources; rbac.is_binding(b)]

# Group subjects grant to the ServiceAccounts they contain: system:serviceaccounts and system:authenticated
# to all of them, system:serviceaccounts:<ns> to those of <ns>.
bindings_by_service_account[sa] contains i if {
	some i, pair in binding_subjects
	some sa in pair[1]
}

bindings_to_all := {i | some i, pair in binding_subjects; rbac.grants_all_service_accounts(pair[0])}

bindings_by_namespace[ns] contains i if {
	some i, pair in binding_subjects
	some ns in rbac.service_account_group_namespaces(pair[0])
}

binding_indexes_of(sa_key) := (object.get(bindings_by_service_account, sa_key, set()) | bindings_to_all) | object.get(bindings_by_namespace, split(sa_key, "/")[0], set())

read_only_in_namespace(binding, ns) if {
	binding.kind == "RoleBinding"
	k8s.namespace(binding) == ns
	key := role_ref_key(binding)
	role_keys[key]
	not writable_role_keys[key]
}

# A ClusterRole is in scope of every binding, a Role of the bindings of its namespace: keyed so that
# each binding is a lookup, not a scan of the roles.
role_key(kind, ns, name) := [kind, "", name] if {
	kind == "ClusterRole"
} else := [kind, ns, name]

role_key_of(r) := role_key(r.kind, k8s.namespace(r), k8s.name(r))

role_ref_key(b) := role_key(b.roleRef.kind, k8s.namespace(b), b.roleRef.name)

# The roles a roleRef resolves to: of two of one identity, the last one (the one that exists once applied).
# An identity includes the kind, so the last of an identity among the roles alone is the one among all
# the resources: only the roles are sorted (k8s.last_by_identity), not the whole set.
written_roles := [r | some r in resources; rbac.is_role(r)]

roles := k8s.last_by_identity(written_roles)

role_keys := {role_key_of(r) | some r in roles}

# An aggregated ClusterRole grants the rules of the ClusterRoles its selectors reach in the set.
aggregation_graph := rbac.aggregation_graph(written_roles)

writable_role_keys contains role_key_of(r) if {
	some r in roles
	some rule in rbac.aggregated_rules(r, aggregation_graph, roles)
	not read_only_discovery(rule)
}

# An aggregated ClusterRole that reaches built-in ClusterRoles holds their rules too (none is read-only discovery).
writable_role_keys contains role_key_of(r) if {
	some r in roles
	rbac.reaches_builtin_cluster_role(r, aggregation_graph, roles)
}

read_only_discovery(rule) if {
	every v in rbac.field(rule, "verbs") {
		read_only_verbs[v]
	}
	every r in rbac.field(rule, "resources") {
		discovery_resources[r]
	}
	every g in rbac.field(rule, "apiGroups") {
		discovery_groups[g]
	}
	count(rbac.field(rule, "nonResourceURLs")) == 0
}

workload_data(f, extra) := object.union({"kind": f.w.kind, "workload": k8s.name(f.w), "serviceAccount": f.sa}, extra)
