package erlmcp.controls.iam_no_wildcards

import data.lib.k8s
import data.lib.rbac
import data.lib.violation

control_id := "iam-no-wildcards"

obj := input.review.object

message_ids := {
	"verbs": "wildcardVerb",
	"apiGroups": "wildcardApiGroup",
	"resources": "wildcardResource",
	"nonResourceURLs": "wildcardNonResourceUrl",
}

violation contains v if {
	some i, rule in rbac.rules(obj)
	some name, message_id in message_ids
	some value in rbac.field(rule, name)
	is_wildcard(name, value)
	v := violation.at(control_id, message_id, obj, ["rules", i, name], {"kind": obj.kind, "role": k8s.name(obj), "rule": i})
}

is_wildcard(_, value) if value == "*"

# `*/sub` covers a subresource of every resource; a URL ending in `*` covers every path with its prefix.
is_wildcard("resources", value) if startswith(value, "*/")

is_wildcard("nonResourceURLs", value) if rbac.non_resource_url_wildcard(value)
