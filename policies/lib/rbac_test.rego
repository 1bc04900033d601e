package lib.rbac_test

import data.lib.rbac

pods_exec := {"verb": "create", "apiGroup": "", "resource": "pods", "subresource": "exec", "name": "p"}

test_rule_allows_resource_requests if {
	rbac.rule_allows({"verbs": ["*"], "apiGroups": [""], "resources": ["*/exec"]}, pods_exec)
	rbac.rule_allows({"verbs": ["create"], "apiGroups": ["*"], "resources": ["pods/exec"], "resourceNames": ["p"]}, pods_exec)
	not rbac.rule_allows({"verbs": ["create"], "apiGroups": [""], "resources": ["pods/*"]}, pods_exec)
	not rbac.rule_allows({"verbs": ["create"], "apiGroups": [""], "resources": ["pods/exec"], "resourceNames": ["q"]}, pods_exec)
	not rbac.rule_allows({"verbs": ["get"], "apiGroups": [""], "resources": ["*"]}, pods_exec)
	rbac.rule_allows({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, object.union(pods_exec, {"verb": "get", "subresource": ""}))
}

test_rule_allows_non_resource_urls if {
	rule := {"verbs": ["get"], "nonResourceURLs": ["/healthz/*", "/api*", "/metrics"]}
	rbac.rule_allows(rule, {"verb": "get", "path": "/healthz/etcd"})
	rbac.rule_allows(rule, {"verb": "get", "path": "/apis/apps"})
	rbac.rule_allows(rule, {"verb": "get", "path": "/metrics"})
	not rbac.rule_allows(rule, {"verb": "get", "path": "/healthz"})
	not rbac.rule_allows(rule, {"verb": "post", "path": "/metrics"})
	rbac.rule_allows({"verbs": ["get"], "nonResourceURLs": ["*"]}, {"verb": "get", "path": "/"})
	not rbac.rule_allows(rule, pods_exec)
}

test_impersonation if {
	rbac.grants_impersonation({"verbs": ["impersonate"], "apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes"]})
	rbac.grants_impersonation({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*/scopes"]})
	not rbac.grants_impersonation({"verbs": ["impersonate"], "apiGroups": [""], "resources": ["pods"]})
	not rbac.grants_impersonation({"verbs": ["impersonate"], "resources": ["users"]})
}

binding(ns, subjects) := {"kind": "RoleBinding", "metadata": {"name": "b", "namespace": ns}, "subjects": subjects}

test_service_account_subjects if {
	rbac.service_account_subjects(binding("erlmcp", [
		{"kind": "ServiceAccount", "name": "a"},
		{"kind": "ServiceAccount", "name": "b", "namespace": "other"},
		{"kind": "ServiceAccount", "name": "e", "namespace": ""},
		{"kind": "User", "name": "system:serviceaccount:ns:c"},
		{"kind": "User", "name": "system:serviceaccount:ns"},
		{"kind": "User", "name": "system:serviceaccount::c"},
		{"kind": "User", "name": "alice"},
		{"kind": "Group", "name": "system:serviceaccount:ns:d"},
	])) == {"erlmcp/a", "other/b", "erlmcp/e", "ns/c"}
}

test_subject_entries_keep_the_subject_index if {
	b := binding("erlmcp", [
		{"kind": "Group", "name": "system:serviceaccounts"},
		"not a subject",
		{"kind": "ServiceAccount", "name": "a"},
		{"kind": "User", "name": "system:serviceaccount:ns:c"},
		{"kind": "Group", "name": "devs"},
	])
	rbac.service_account_subject_entries(b) == {[2, "erlmcp/a"], [3, "ns/c"]}
	rbac.service_account_group_entries(b) == {[0, "system:serviceaccounts"]}
}

test_group_subjects if {
	b := binding("erlmcp", [
		{"kind": "Group", "name": "system:serviceaccounts:erlmcp"},
		{"kind": "Group", "name": "system:serviceaccounts:"},
		{"kind": "Group", "name": "system:unauthenticated"},
		{"kind": "User", "name": "system:serviceaccounts"},
	])
	not rbac.grants_all_service_accounts(b)
	rbac.service_account_group_namespaces(b) == {"erlmcp"}
	rbac.service_account_groups(b) == {"system:serviceaccounts:erlmcp"}
	rbac.binding_grants_service_account(b, "erlmcp/any")
	not rbac.binding_grants_service_account(b, "other/any")
	all := binding("erlmcp", [{"kind": "Group", "name": "system:authenticated"}])
	rbac.grants_all_service_accounts(all)
	rbac.binding_grants_service_account(all, "other/any")
	rbac.binding_grants_service_account(binding("erlmcp", [{"kind": "ServiceAccount", "name": "a"}]), "erlmcp/a")
}

cluster_role(name, labels, rules) := {"kind": "ClusterRole", "metadata": {"name": name, "labels": labels}, "rules": rules}

aggregated(name, labels, selectors) := object.union(cluster_role(name, labels, [{"verbs": ["ignored"]}]), {"aggregationRule": {"clusterRoleSelectors": selectors}})

test_aggregation if {
	r1 := {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}
	r2 := {"verbs": ["delete"], "apiGroups": [""], "resources": ["pods"]}
	resources := [
		cluster_role("leaf-a", {"to": "inner"}, [r1]),
		cluster_role("leaf-b", {"to": "outer"}, [r2]),
		cluster_role("unselected", {"to": "none"}, [{"verbs": ["*"]}]),
		aggregated("inner", {"to": "outer"}, [{"matchLabels": {"to": "inner"}}]),
		aggregated("outer", {}, [{"matchLabels": {"to": "outer"}}, "not a selector"]),
		aggregated("empty", {}, []),
		{"kind": "Role", "metadata": {"name": "leaf-a", "labels": {"to": "outer"}}, "rules": [{"verbs": ["*"]}]},
	]
	g := rbac.aggregation_graph(resources)
	g.outer == {"leaf-b", "inner"}
	g["leaf-a"] == set()
	{r | some r in rbac.aggregated_rules(resources[4], g, resources)} == {r1, r2}
	rbac.aggregated_rules(resources[3], g, resources) == [r1]
	rbac.aggregated_rules(resources[5], g, resources) == []
	rbac.aggregated_rules(resources[0], g, resources) == [r1]
}

test_kinds if {
	rbac.is_role({"kind": "Role"})
	rbac.is_binding({"kind": "ClusterRoleBinding"})
	not rbac.is_role({"kind": "RoleBinding"})
	rbac.field({"verbs": ["get", 1, null]}, "verbs") == ["get"]
	rbac.grants_any_verb({"verbs": ["get"]})
	not rbac.grants_any_verb({"verbs": []})
}

test_reaches_builtin_cluster_role_through_an_aggregated_role if {
	outer := {"kind": "ClusterRole", "metadata": {"name": "outer"}, "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "inner"}}]}}
	inner := {"kind": "ClusterRole", "metadata": {"name": "inner", "labels": {"x": "inner"}}, "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}]}}
	own := {"kind": "ClusterRole", "metadata": {"name": "own"}, "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "nothing"}}]}}
	resources := [outer, inner, own]
	g := rbac.aggregation_graph(resources)
	rbac.reaches_builtin_cluster_role(outer, g, resources)
	rbac.reaches_builtin_cluster_role(inner, g, resources)
	not rbac.reaches_builtin_cluster_role(own, g, resources)
}
