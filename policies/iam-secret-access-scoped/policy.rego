package erlmcp.controls.iam_secret_access_scoped

import data.lib.k8s
import data.lib.rbac
import data.lib.violation

control_id := "iam-secret-access-scoped"

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
	v := violation.at(control_id, "secretListWatch", obj, ["rules", i, "verbs"], rule_data(i))
}

violation contains v if {
	some i, rule in secret_rules
	rbac.grants_verb(rule, "get")
	count(rbac.field(rule, "resourceNames")) == 0
	v := violation.at(control_id, "secretGetUnscoped", obj, ["rules", i, "resourceNames"], rule_data(i))
}

rule_data(i) := {"kind": obj.kind, "role": k8s.name(obj), "rule": i}
