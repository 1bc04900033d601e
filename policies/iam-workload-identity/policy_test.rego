package erlmcp.controls.iam_workload_identity_test

import data.erlmcp.controls.iam_workload_identity as control

sa(name, extra) := object.union({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "erlmcp"}}, extra)

deploy(spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "app", "namespace": "erlmcp"},
	"spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": object.union({"containers": [{"name": "c"}]}, spec)}},
}

role(kind, name, rules) := {"kind": kind, "metadata": {"name": name, "namespace": "erlmcp"}, "rules": rules}

binding(kind, ns, role_kind, role_name) := {
	"kind": kind,
	"metadata": {"name": "b", "namespace": ns},
	"roleRef": {"kind": role_kind, "name": role_name},
	"subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "erlmcp"}],
}

discovery := [{"apiGroups": ["", "discovery.k8s.io"], "resources": ["pods", "endpointslices"], "verbs": ["get", "list", "watch"]}]

ids(resources) := {v.details.messageId | some v in vs} if {
	vs := control.violation with input as {"resources": resources}
}

test_dedicated_sa_without_token_passes if {
	ids([sa("app", {"automountServiceAccountToken": false}), deploy({"serviceAccountName": "app"})]) == set()
}

test_discovery_role_with_token_passes if {
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		role("Role", "peers", discovery), binding("RoleBinding", "erlmcp", "Role", "peers"),
	]) == set()
}

test_discovery_cluster_role_via_role_binding_passes if {
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		role("ClusterRole", "peers", discovery), binding("RoleBinding", "erlmcp", "ClusterRole", "peers"),
	]) == set()
}

test_no_service_account if {
	ids([deploy({"automountServiceAccountToken": false})]) == {"noServiceAccount"}
}

test_default_service_account if {
	ids([deploy({"serviceAccountName": "default", "automountServiceAccountToken": false})]) == {"defaultServiceAccount"}
}

test_missing_service_account if {
	ids([deploy({"serviceAccountName": "app", "automountServiceAccountToken": false})]) == {"serviceAccountMissing"}
}

test_default_with_token_also_unneeded if {
	ids([deploy({})]) == {"noServiceAccount", "tokenAutomountedUnneeded"}
}

test_unneeded_token if {
	ids([sa("app", {}), deploy({"serviceAccountName": "app"})]) == {"tokenAutomountedUnneeded"}
}

test_pod_true_overrides_sa_false if {
	ids([sa("app", {"automountServiceAccountToken": false}), deploy({"serviceAccountName": "app", "automountServiceAccountToken": true})]) == {"tokenAutomountedUnneeded"}
}

test_broad_role if {
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		role("Role", "peers", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "delete"]}]),
		binding("RoleBinding", "erlmcp", "Role", "peers"),
	]) == {"tokenAutomountedOverprivileged"}
}

test_non_resource_urls_are_broad if {
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		role("ClusterRole", "peers", [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]),
		binding("RoleBinding", "erlmcp", "ClusterRole", "peers"),
	]) == {"tokenAutomountedOverprivileged"}
}

test_role_in_other_namespace_binding if {
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		role("ClusterRole", "peers", discovery), binding("RoleBinding", "other", "ClusterRole", "peers"),
	]) == {"tokenAutomountedOverprivileged"}
}

test_cluster_role_binding if {
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		role("ClusterRole", "peers", discovery), binding("ClusterRoleBinding", "", "ClusterRole", "peers"),
	]) == {"tokenAutomountedOverprivileged"}
}

test_unknown_role_is_not_minimal if {
	ids([sa("app", {}), deploy({"serviceAccountName": "app"}), binding("RoleBinding", "erlmcp", "ClusterRole", "view")]) == {"tokenAutomountedOverprivileged"}
}

test_finding_data if {
	some v in control.violation with input as {"resources": [sa("app", {}), deploy({"serviceAccountName": "app"})]}
	v.details.data == {"kind": "Deployment", "workload": "app", "serviceAccount": "erlmcp/app"}
	v.details.resource == {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "erlmcp", "name": "app"}
}

labelled_cluster_role(name, labels, rules) := {"kind": "ClusterRole", "metadata": {"name": name, "labels": labels}, "rules": rules}

aggregated(name, selectors) := {"kind": "ClusterRole", "metadata": {"name": name}, "aggregationRule": {"clusterRoleSelectors": selectors}, "rules": []}

test_aggregated_role_has_the_rules_it_selects if {
	writes := [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		labelled_cluster_role("secret-reader", {"agg": "peers"}, writes),
		aggregated("peers", [{"matchExpressions": [{"key": "agg", "operator": "Exists"}]}]),
		binding("RoleBinding", "erlmcp", "ClusterRole", "peers"),
	]) == {"tokenAutomountedOverprivileged"}
}

test_aggregation_is_transitive_and_skips_unselected_roles if {
	writes := [{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]}]
	inner := object.union(aggregated("inner", [{"matchLabels": {"agg": "inner"}}]), {"metadata": {"name": "inner", "labels": {"agg": "outer"}}})
	resources := [
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		labelled_cluster_role("deleter", {"agg": "inner"}, writes),
		inner,
		aggregated("outer", [{"matchLabels": {"agg": "outer"}}]),
		binding("RoleBinding", "erlmcp", "ClusterRole", "outer"),
	]
	ids(resources) == {"tokenAutomountedOverprivileged"}
	ids(array.concat([r | some r in resources; r.metadata.name != "deleter"], [labelled_cluster_role("deleter", {"agg": "other"}, writes)])) == set()
}

test_aggregated_role_of_read_only_sources_passes if {
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		labelled_cluster_role("peer-reader", {"agg": "peers"}, discovery),
		aggregated("peers", [{"matchLabels": {"agg": "peers"}}]),
		binding("RoleBinding", "erlmcp", "ClusterRole", "peers"),
	]) == set()
}

group_binding(kind, ns, role_kind, role_name, subject) := object.union(binding(kind, ns, role_kind, role_name), {"subjects": [subject]})

test_group_subjects_grant_to_their_service_accounts if {
	writes := [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]}]
	every group in ["system:serviceaccounts", "system:serviceaccounts:erlmcp", "system:authenticated"] {
		ids([
			sa("app", {}), deploy({"serviceAccountName": "app"}),
			role("Role", "deployer", writes),
			group_binding("RoleBinding", "erlmcp", "Role", "deployer", {"kind": "Group", "name": group}),
		]) == {"tokenAutomountedOverprivileged"}
	}
}

test_groups_of_other_namespaces_do_not_bind if {
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		role("Role", "peers", discovery),
		group_binding("RoleBinding", "erlmcp", "Role", "peers", {"kind": "Group", "name": "system:serviceaccounts:other"}),
	]) == {"tokenAutomountedUnneeded"}
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		role("Role", "peers", discovery),
		group_binding("RoleBinding", "erlmcp", "Role", "peers", {"kind": "Group", "name": "system:unauthenticated"}),
	]) == {"tokenAutomountedUnneeded"}
}

test_service_account_user_subject_binds if {
	ids([
		sa("app", {}), deploy({"serviceAccountName": "app"}),
		role("Role", "peers", discovery),
		group_binding("RoleBinding", "erlmcp", "Role", "peers", {"kind": "User", "name": "system:serviceaccount:erlmcp:app"}),
	]) == set()
}

paths(resources) := {[v.details.messageId, v.details.path] | some v in vs} if {
	vs := control.violation with input as {"resources": resources}
}

test_paths_point_at_the_pod_spec_fields if {
	paths([deploy({})]) == {
		["noServiceAccount", ["spec", "template", "spec"]],
		["tokenAutomountedUnneeded", ["spec", "template", "spec"]],
	}
	paths([deploy({"serviceAccountName": "default", "automountServiceAccountToken": true})]) == {
		["defaultServiceAccount", ["spec", "template", "spec", "serviceAccountName"]],
		["tokenAutomountedUnneeded", ["spec", "template", "spec", "automountServiceAccountToken"]],
	}
}
