package erlmcp.controls.iam_no_wildcards_test

import data.erlmcp.controls.iam_no_wildcards as control

role(kind, rules) := {"review": {"object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "r", "namespace": "erlmcp"},
	"rules": rules,
}}}

ids(vs) := {v.details.messageId | some v in vs}

test_named_rule_passes if {
	count(control.violation) == 0 with input as role("Role", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}])
}

test_named_non_resource_urls_pass if {
	count(control.violation) == 0 with input as role("ClusterRole", [{"nonResourceURLs": ["/healthz", "/metrics"], "verbs": ["get"]}])
}

test_non_resource_url_trailing_star_is_a_wildcard if {
	ids(control.violation) == {"wildcardNonResourceUrl"} with input as role("ClusterRole", [{"nonResourceURLs": ["/metrics", "/healthz/*"], "verbs": ["get"]}])
	ids(control.violation) == {"wildcardNonResourceUrl"} with input as role("ClusterRole", [{"nonResourceURLs": ["/api*"], "verbs": ["get"]}])
}

test_every_wildcard_field if {
	ids(control.violation) == {"wildcardVerb", "wildcardResource", "wildcardApiGroup", "wildcardNonResourceUrl"} with input as role("ClusterRole", [
		{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
		{"nonResourceURLs": ["*"], "verbs": ["get"]},
	])
}

test_subresource_wildcard if {
	ids(control.violation) == {"wildcardResource"} with input as role("Role", [{"apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["get"]}])
}

test_rule_index_and_data if {
	some v in control.violation with input as role("Role", [{"verbs": ["get"]}, {"verbs": ["*"]}])
	v.details.data == {"kind": "Role", "role": "r", "rule": 1}
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "ConfigMap", "rules": [{"verbs": ["*"]}]}}}
}

test_path_points_at_the_wildcard_field if {
	vs := control.violation with input as role("Role", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}, {"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}])
	{v.details.path | some v in vs} == {["rules", 1, "apiGroups"]}
}
