package erlmcp.controls.iam_secret_access_scoped_test

import data.erlmcp.controls.iam_secret_access_scoped as control

role(rules) := {"review": {"object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "Role",
	"metadata": {"name": "r", "namespace": "erlmcp"},
	"rules": rules,
}}}

ids(vs) := {v.details.messageId | some v in vs}

test_named_get_passes if {
	count(control.violation) == 0 with input as role([{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["cookie"], "verbs": ["get"]}])
}

test_other_group_passes if {
	count(control.violation) == 0 with input as role([{"apiGroups": ["apps"], "resources": ["*"], "verbs": ["list"]}])
}

test_other_resource_passes if {
	count(control.violation) == 0 with input as role([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["list", "get"]}])
}

test_list_fails_even_with_names if {
	ids(control.violation) == {"secretListWatch"} with input as role([{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"], "verbs": ["list"]}])
}

test_watch_fails if {
	ids(control.violation) == {"secretListWatch"} with input as role([{"apiGroups": ["*"], "resources": ["secrets"], "verbs": ["watch"]}])
}

test_unscoped_get_fails if {
	ids(control.violation) == {"secretGetUnscoped"} with input as role([{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}])
}

test_wildcard_verb_fails_twice if {
	ids(control.violation) == {"secretListWatch", "secretGetUnscoped"} with input as role([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["*"]}])
}

test_paths_point_at_the_verbs_and_the_missing_resource_names if {
	vs := control.violation with input as role([
		{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]},
		{"apiGroups": [""], "resources": ["secrets"], "resourceNames": [], "verbs": ["get"]},
	])
	{[v.details.messageId, v.details.path] | some v in vs} == {
		["secretListWatch", ["rules", 0, "verbs"]],
		["secretGetUnscoped", ["rules", 0]],
		["secretGetUnscoped", ["rules", 1, "resourceNames"]],
	}
}
