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
	v := violation.make(control_id, message_id, obj, {"kind": obj.kind, "role": k8s.name(obj), "rule": i})
}

is_wildcard(_, value) if value == "*"

is_wildcard("resources", value) if startswith(value, "*/")
