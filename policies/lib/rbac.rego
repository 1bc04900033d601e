# RBAC rule semantics shared by the iam controls. Mirrored by src/k8s/rbac.ts.
package lib.rbac

role_kinds := {"Role", "ClusterRole"}

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

is_role(obj) if role_kinds[obj.kind]

is_binding(obj) if binding_kinds[obj.kind]

rules(obj) := object.get(obj, "rules", []) if is_role(obj)

field(rule, name) := object.get(rule, name, [])

grants_verb(rule, verb) if verb in field(rule, "verbs")

grants_verb(rule, _) if "*" in field(rule, "verbs")

grants_any_verb(rule) if count(field(rule, "verbs")) > 0

matches_group(rule, group) if group in field(rule, "apiGroups")

matches_group(rule, _) if "*" in field(rule, "apiGroups")

# `*` covers every resource; `*/sub` covers the subresource `sub` of every resource.
matches_resource(rule, resource) if resource in field(rule, "resources")

matches_resource(rule, _) if "*" in field(rule, "resources")

matches_resource(rule, resource) if {
	parts := split(resource, "/")
	count(parts) == 2
	concat("/", ["*", parts[1]]) in field(rule, "resources")
}

# A ServiceAccount subject as "namespace/name" (namespace defaults to the binding's).
service_account_subjects(binding) := {key |
	some s in object.get(binding, "subjects", [])
	s.kind == "ServiceAccount"
	key := concat("/", [object.get(s, "namespace", object.get(binding, ["metadata", "namespace"], "")), s.name])
}
