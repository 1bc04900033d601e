package erlmcp.controls.iam_no_wildcards

import data.lib.k8s
import data.lib.rbac

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
	v := {
		"msg": concat("", ["iam-no-wildcards: ", message_id, " in rule ", format_int(i, 10), " of ", obj.kind, " ", k8s.name(obj)]),
		"details": {
			"messageId": message_id,
			"data": {"kind": obj.kind, "role": k8s.name(obj), "rule": i},
			"resource": k8s.ref(obj),
		},
	}
}

is_wildcard(_, value) if value == "*"

is_wildcard("resources", value) if startswith(value, "*/")
