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

# [container name, path of the env entry, entry] of every variable whose name says it holds a credential.
credential_env contains [c.name, array.concat(c.__path, ["env", i]), e] if {
	some c in containers
	some i, e in object.get(c, "env", [])
	regex.match(credential_name, e.name)
}

violation contains violation.at(control_id, "literalCredentialEnv", obj, array.concat(path, ["value"]), {"container": name, "env": e.name}) if {
	some [name, path, e] in credential_env
	value := object.get(e, "value", null)
	value != null
	value != ""
}

violation contains violation.at(control_id, "credentialEnvFromConfigMap", obj, array.concat(path, ["valueFrom", "configMapKeyRef"]), d) if {
	some [name, path, e] in credential_env
	ref := e.valueFrom.configMapKeyRef
	d := {"container": name, "env": e.name, "configMap": object.get(ref, "name", "")}
}

violation contains violation.at(control_id, "setcookieLiteral", obj, array.concat(c.__path, [argv_field(c)]), {"container": c.name, "where": "command/args"}) if {
	some c in containers
	has_literal_setcookie(argv_text(c, ["command", "args"]))
}

# Every literal env value (ERL_FLAGS, ELIXIR_ERL_OPTIONS, ...) passes flags too.
violation contains violation.at(control_id, "setcookieLiteral", obj, array.concat(c.__path, ["env", i, "value"]), {"container": c.name, "where": concat(" ", ["env", e.name])}) if {
	some c in containers
	some i, e in object.get(c, "env", [])
	is_string(e.name)
	is_string(e.value)
	has_literal_setcookie(e.value)
}

argv_text(c, fields) := concat(" ", [a | some field in fields; some a in object.get(c, field, [])])

# The list that sets the cookie: command when it does on its own, else args.
argv_field(c) := "command" if {
	has_literal_setcookie(argv_text(c, ["command"]))
} else := "args"

has_literal_setcookie(text) if {
	some m in regex.find_all_string_submatch_n(setcookie_arg, text, -1)
	not startswith(m[1], "$")
}

violation contains violation.at(control_id, "configMapCredentialKey", obj, [field, key], {"configMap": k8s.name(obj), "key": key}) if {
	obj.kind == "ConfigMap"
	some field in ["data", "binaryData"]
	values := object.get(obj, field, {})
	is_object(values)
	some key, _ in values
	regex.match(credential_name, key)
}

# data as written and binaryData decoded, as the kubelet hands both to a container.
cm_texts := env.config_map_text_entries(obj) if obj.kind == "ConfigMap"

violation contains violation.at(control_id, "configMapSetcookie", obj, [field, key], {"configMap": k8s.name(obj), "key": key}) if {
	some [field, key, value] in cm_texts
	has_literal_setcookie(value)
}

violation contains violation.at(control_id, "configMapPrivateKey", obj, [field, key], {"configMap": k8s.name(obj), "key": key}) if {
	some [field, key, value] in cm_texts
	regex.match(pem_private_key, value)
}

violation contains violation.at(control_id, "configMapCredentialAssignment", obj, [field, key], {"configMap": k8s.name(obj), "key": key}) if {
	some [field, key, value] in cm_texts
	regex.match(credential_assignment, value)
}
