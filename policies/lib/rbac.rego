# RBAC as the Kubernetes authorizer reads it, shared by the iam controls. Mirrored by src/k8s/rbac.ts:
# rule matching (RuleAllows), aggregated ClusterRoles and the ServiceAccounts a subject contains.
package lib.rbac

import data.lib.k8s

role_kinds := {"Role", "ClusterRole"}

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

is_role(obj) if role_kinds[obj.kind]

is_binding(obj) if binding_kinds[obj.kind]

# The rules written in a role (an aggregated ClusterRole's effective rules: aggregated_rules).
rules(obj) := object.get(obj, "rules", []) if is_role(obj)

field(rule, name) := [v | some v in object.get(rule, name, []); is_string(v)]

grants_verb(rule, verb) if verb in field(rule, "verbs")

grants_verb(rule, _) if "*" in field(rule, "verbs")

grants_any_verb(rule) if count(field(rule, "verbs")) > 0

matches_group(rule, group) if group in field(rule, "apiGroups")

matches_group(rule, _) if "*" in field(rule, "apiGroups")

# `*` covers every resource; `*/sub` covers the subresource `sub` of every resource. `pods/*` is no
# wildcard for the authorizer: it covers nothing that exists.
matches_resource(rule, resource) if resource in field(rule, "resources")

matches_resource(rule, _) if "*" in field(rule, "resources")

matches_resource(rule, resource) if {
	i := indexof(resource, "/")
	i > 0
	concat("", ["*", substring(resource, i, -1)]) in field(rule, "resources")
}

# No resourceNames: every name (and requests without a name).
matches_resource_name(rule, _) if count(field(rule, "resourceNames")) == 0

matches_resource_name(rule, name) if name in field(rule, "resourceNames")

# `*`, the exact path, or a prefix written with a trailing `*`.
matches_non_resource_url(rule, path) if {
	some url in field(rule, "nonResourceURLs")
	url_covers(url, path)
}

url_covers("*", _)

url_covers(url, path) if url == path

url_covers(url, path) if {
	non_resource_url_wildcard(url)
	startswith(path, trim_right(url, "*"))
}

non_resource_url_wildcard(url) if endswith(url, "*")

# Whether a rule allows a request ({verb, apiGroup, resource, subresource, name} or {verb, path}).
rule_allows(rule, request) if {
	non_resource_request(request)
	grants_verb(rule, request.verb)
	matches_non_resource_url(rule, request.path)
}

rule_allows(rule, request) if {
	not non_resource_request(request)
	grants_verb(rule, request.verb)
	matches_group(rule, request.apiGroup)
	matches_resource(rule, combined_resource(request))
	matches_resource_name(rule, request.name)
}

non_resource_request(request) if is_string(request.path)

combined_resource(request) := request.resource if {
	request.subresource == ""
} else := concat("/", [request.resource, request.subresource])

# `impersonate` on users, groups, serviceaccounts, uids or userextras/<key> (directly, by `*` or by `*/<key>`),
# in any API group, whichever group the rule names.
grants_impersonation(rule) if {
	grants_verb(rule, "impersonate")
	count(field(rule, "apiGroups")) > 0
	some r in field(rule, "resources")
	impersonation_resource(r)
}

impersonation_resources := {"*", "users", "groups", "serviceaccounts", "uids"}

impersonation_resource(r) if impersonation_resources[r]

impersonation_resource(r) if startswith(r, "userextras/")

impersonation_resource(r) if startswith(r, "*/")

sa_user_prefix := "system:serviceaccount:"

sa_group := "system:serviceaccounts"

# ServiceAccounts named one by one, as "namespace/name": ServiceAccount subjects (namespace defaults to the
# binding's) and User subjects spelled system:serviceaccount:<ns>:<name>.
service_account_subjects(binding) := {key |
	some s in object.get(binding, "subjects", [])
	key := service_account_key(s, binding)
}

# Each subject naming a ServiceAccount one by one, as [index in subjects, "namespace/name"]: the
# subject a finding points at.
service_account_subject_entries(binding) := {[i, key] |
	some i, s in object.get(binding, "subjects", [])
	key := service_account_key(s, binding)
}

service_account_key(s, binding) := concat("/", [subject_namespace(s, binding), s.name]) if {
	s.kind == "ServiceAccount"
	is_string(s.name)
}

# An unset or empty namespace defaults to the binding's.
subject_namespace(s, binding) := s.namespace if {
	subject_has_namespace(s)
} else := object.get(binding, ["metadata", "namespace"], "")

subject_has_namespace(s) if {
	is_string(s.namespace)
	s.namespace != ""
}

service_account_key(s, _) := concat("/", parts) if {
	s.kind == "User"
	startswith(s.name, sa_user_prefix)
	parts := split(substring(s.name, count(sa_user_prefix), -1), ":")
	count(parts) == 2
	every p in parts {
		p != ""
	}
}

# Group subjects that contain every ServiceAccount (system:unauthenticated contains none).
all_service_account_groups := {sa_group, "system:authenticated"}

grants_all_service_accounts(binding) if {
	some s in object.get(binding, "subjects", [])
	s.kind == "Group"
	all_service_account_groups[s.name]
}

# Namespaces whose every ServiceAccount a system:serviceaccounts:<ns> Group subject contains.
service_account_group_namespaces(binding) := {ns |
	some s in object.get(binding, "subjects", [])
	s.kind == "Group"
	startswith(s.name, concat("", [sa_group, ":"]))
	ns := substring(s.name, count(sa_group) + 1, -1)
	ns != ""
}

# The Group subjects of a binding that contain ServiceAccounts, for findings.
service_account_groups(binding) := {s.name |
	some s in object.get(binding, "subjects", [])
	s.kind == "Group"
	is_string(s.name)
	sa_group_contains_some(s.name)
}

# The Group subjects of a binding that contain ServiceAccounts, as [index in subjects, group name].
service_account_group_entries(binding) := {[i, s.name] |
	some i, s in object.get(binding, "subjects", [])
	s.kind == "Group"
	is_string(s.name)
	sa_group_contains_some(s.name)
}

sa_group_contains_some(name) if all_service_account_groups[name]

sa_group_contains_some(name) if {
	startswith(name, concat("", [sa_group, ":"]))
	count(name) > count(sa_group) + 1
}

# The binding grants its role to ServiceAccount "namespace/name", by name or through a group.
binding_grants_service_account(binding, sa) if sa in service_account_subjects(binding)

binding_grants_service_account(binding, _) if grants_all_service_accounts(binding)

binding_grants_service_account(binding, sa) if split(sa, "/")[0] in service_account_group_namespaces(binding)

is_aggregated(obj) if {
	obj.kind == "ClusterRole"
	is_object(obj.aggregationRule)
}

# ClusterRole name -> names of the other ClusterRoles its clusterRoleSelectors match (set-scope input).
# Of two ClusterRoles of one name, the last one exists (k8s.last_by_identity).
aggregation_graph(resources) := {name: sources |
	roles := [r | some r in k8s.last_by_identity(resources); r.kind == "ClusterRole"]
	some r in roles
	name := k8s.name(r)
	sources := {k8s.name(c) |
		is_aggregated(r)
		some sel in object.get(r.aggregationRule, "clusterRoleSelectors", [])
		is_object(sel)
		some c in roles
		c.kind == "ClusterRole"
		k8s.name(c) != name
		k8s.selector_matches(sel, k8s.labels(c))
	}
}

# The rules a role grants once the aggregation controller has run: an aggregated ClusterRole has the union of
# the rules of every non-aggregated ClusterRole its selectors reach (its own written rules are overwritten).
# `resources`: the objects that exist (k8s.last_by_identity), so that a ClusterRole written twice adds only
# the rules of its last copy.
aggregated_rules(role, sources_graph, resources) := rules_reached(role, sources_graph, resources) if {
	is_aggregated(role)
} else := rules(role)

rules_reached(role, sources_graph, resources) := [rule |
	reached := graph.reachable(sources_graph, {k8s.name(role)})
	some c in resources
	c.kind == "ClusterRole"
	not is_aggregated(c)
	k8s.name(c) != k8s.name(role)
	reached[k8s.name(c)]
	some rule in rules(c)
]

# The labels of the built-in ClusterRoles that carry escalation grants (bootstrap policy: every built-in
# ClusterRole is labelled kubernetes.io/bootstrapping: rbac-defaults), by the role a finding names:
# cluster-admin (and admin, system:controller:*) carry only that label; edit and system:aggregate-to-admin add
# aggregate-to-admin; view and system:aggregate-to-edit add aggregate-to-edit. Mirrors BUILTIN_CLUSTER_ROLES
# in src/k8s/rbac.ts.
builtin_cluster_roles := [
	{"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
	{"name": "edit", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-admin": "true"}},
	{"name": "system:aggregate-to-edit", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-edit": "true"}},
]

# clusterRoleSelectors index -> the built-in ClusterRoles that entry matches (entries matching none left out):
# the aggregation controller copies their rules in, though no manifest of the set carries them.
builtin_cluster_roles_aggregated(obj) := {i: roles |
	is_aggregated(obj)
	some i, sel in object.get(obj.aggregationRule, "clusterRoleSelectors", [])
	roles := [b.name | some b in builtin_cluster_roles; k8s.selector_matches(sel, b.labels)]
	count(roles) > 0
}

# Every label set a built-in ClusterRole carries: an aggregation selector that matches one of them collects
# the rules of a ClusterRole no manifest carries. Mirrors BUILTIN_CLUSTER_ROLE_LABEL_SETS in src/k8s/rbac.ts.
builtin_cluster_role_label_sets := array.concat(
	[b.labels | some b in builtin_cluster_roles],
	[{"kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-view": "true"}],
)

selects_builtin_cluster_role(obj) if {
	is_aggregated(obj)
	some sel in object.get(obj.aggregationRule, "clusterRoleSelectors", [])
	some labels in builtin_cluster_role_label_sets
	k8s.selector_matches(sel, labels)
}

# The aggregated ClusterRole (or an aggregated ClusterRole of the set it reaches) selects built-in ClusterRoles:
# it also holds rules aggregated_rules cannot list. `resources`: the objects that exist (k8s.last_by_identity).
reaches_builtin_cluster_role(role, sources_graph, resources) if {
	is_aggregated(role)
	reached := graph.reachable(sources_graph, {k8s.name(role)})
	some c in resources
	c.kind == "ClusterRole"
	reached[k8s.name(c)]
	selects_builtin_cluster_role(c)
}

# The built-in ClusterRoles whose rules iam-no-escalation-verbs or iam-secret-access-scoped would report (bootstrap
# policy of kube-apiserver v1.34): binding one hands out those grants. Mirrors BUILTIN_PRIVILEGED_CLUSTER_ROLES in
# src/k8s/rbac.ts (checked against a real API server by test/cluster/rbac-builtin-roles.test.ts).
builtin_privileged_cluster_roles := {
	"cluster-admin",
	"admin",
	"edit",
	"system:aggregate-to-edit",
	"system:controller:certificate-controller",
	"system:controller:clusterrole-aggregation-controller",
	"system:controller:cronjob-controller",
	"system:controller:daemon-set-controller",
	"system:controller:deployment-controller",
	"system:controller:generic-garbage-collector",
	"system:controller:job-controller",
	"system:controller:namespace-controller",
	"system:controller:persistent-volume-binder",
	"system:controller:replicaset-controller",
	"system:controller:replication-controller",
	"system:controller:resourcequota-controller",
	"system:controller:statefulset-controller",
	"system:kube-controller-manager",
	"system:kubelet-api-admin",
	"system:node",
	"system:persistent-volume-provisioner",
}
