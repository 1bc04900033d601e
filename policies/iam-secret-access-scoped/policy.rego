package erlmcp.controls.iam_secret_access_scoped

import data.lib.k8s
import data.lib.rbac

obj := input.review.object

secret_rules[i] := rule if {
	some i, rule in rbac.rules(obj)
	rbac.matches_group(rule, "")
	rbac.matches_resource(rule, "secrets")
}

violation contains v if {
	some i, rule in secret_rules
	some verb in ["list", "watch"]
	rbac.grants_verb(rule, verb)
	v := out("secretListWatch", i)
}

violation contains v if {
	some i, rule in secret_rules
	rbac.grants_verb(rule, "get")
	count(rbac.field(rule, "resourceNames")) == 0
	v := out("secretGetUnscoped", i)
}

out(message_id, i) := {
	"msg": concat("", ["iam-secret-access-scoped: ", message_id, " in rule ", format_int(i, 10), " of ", obj.kind, " ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": {"kind": obj.kind, "role": k8s.name(obj), "rule": i},
		"resource": k8s.ref(obj),
	},
}
