package erlmcp.controls.sec_no_literal_credentials

import data.lib.env
import data.lib.k8s
import data.lib.violation

control_id := "sec-no-literal-credentials"

# JSON null is unset (Gatekeeper hands over the object as written).
obj := k8s.without_nulls(input.review.object)

credential_name := `(?i)(COOKIE|PASS(WORD)?|SECRET|TOKEN|API[-_]?KEY|PRIVATE[-_]?KEY|CREDENTIAL)`

setcookie_arg := `(?:^|\s)-setcookie\s+["']?([^\s"']+)`

pem_private_key := `-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----`

credential_assignment := `(?i)(^|[^A-Za-z0-9])[A-Za-z0-9_.-]*(password|passwd|secret|token|api_?key|private_?key|credential|cookie)["']?\s*[=:]\s*["']?[^\s"'$<{]`

containers := k8s.all_containers(obj) if k8s.is_workload(obj)

credential_env contains [c.name, e] if {
	some c in containers
	some e in object.get(c, "env", [])
	regex.match(credential_name, e.name)
}

violation contains violation.make(control_id, "literalCredentialEnv", obj, {"container": name, "env": e.name}) if {
	some [name, e] in credential_env
	value := object.get(e, "value", null)
	value != null
	value != ""
}

violation contains violation.make(control_id, "credentialEnvFromConfigMap", obj, d) if {
	some [name, e] in credential_env
	ref := e.valueFrom.configMapKeyRef
	d := {"container": name, "env": e.name, "configMap": object.get(ref, "name", "")}
}

violation contains violation.make(control_id, "setcookieLiteral", obj, {"container": c.name, "where": where}) if {
	some c in containers
	some where, text in command_texts(c)
	has_literal_setcookie(text)
}

command_texts(c) := object.union(
	{"command/args": concat(" ", array.concat(object.get(c, "command", []), object.get(c, "args", [])))},
	{concat(" ", ["env", e.name]): e.value |
		some e in object.get(c, "env", [])
		is_string(e.name)
		is_string(e.value)
	},
)

has_literal_setcookie(text) if {
	some m in regex.find_all_string_submatch_n(setcookie_arg, text, -1)
	not startswith(m[1], "$")
}

# data as written and binaryData decoded, as the kubelet hands both to a container.
cm_data := env.config_map_texts(obj) if obj.kind == "ConfigMap"

violation contains violation.make(control_id, "configMapCredentialKey", obj, {"configMap": k8s.name(obj), "key": key}) if {
	obj.kind == "ConfigMap"
	some key in object.keys(object.union(object.get(obj, "data", {}), object.get(obj, "binaryData", {})))
	regex.match(credential_name, key)
}

violation contains violation.make(control_id, "configMapSetcookie", obj, {"configMap": k8s.name(obj), "key": key}) if {
	some key, value in cm_data
	has_literal_setcookie(value)
}

violation contains violation.make(control_id, "configMapPrivateKey", obj, {"configMap": k8s.name(obj), "key": key}) if {
	some key, value in cm_data
	regex.match(pem_private_key, value)
}

violation contains violation.make(control_id, "configMapCredentialAssignment", obj, {"configMap": k8s.name(obj), "key": key}) if {
	some key, value in cm_data
	regex.match(credential_assignment, value)
}
