package erlmcp.controls.sec_no_literal_credentials

import data.lib.env
import data.lib.k8s
import data.lib.violation

control_id := "sec-no-literal-credentials"

# JSON null is unset (Gatekeeper hands over the object as written).
obj := k8s.reviewed_object

# The patterns read as the TypeScript twin's JavaScript regexes do (src/validators/sec-no-literal-credentials.ts):
# a case-insensitive letter is its two ASCII cases only (RE2's (?i) also folds the Kelvin sign into k and the
# long s into s, JavaScript's /i does not), and \s is JavaScript's white space (RE2's \s is [\t\n\f\r ] only).
js_space_chars := `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

js_space := concat("", ["[", js_space_chars, "]"])

# (COOKIE|PASS(WORD)?|SECRET|TOKEN|API[-_]?KEY|PRIVATE[-_]?KEY|CREDENTIAL), case-insensitive.
credential_name := `[Cc][Oo][Oo][Kk][Ii][Ee]|[Pp][Aa][Ss][Ss]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Tt][Oo][Kk][Ee][Nn]|[Aa][Pp][Ii][-_]?[Kk][Ee][Yy]|[Pp][Rr][Ii][Vv][Aa][Tt][Ee][-_]?[Kk][Ee][Yy]|[Cc][Rr][Ee][Dd][Ee][Nn][Tt][Ii][Aa][Ll]`

# (?:^|\s)-setcookie\s+["']?([^\s"']+)
setcookie_arg := concat("", ["(?:^|", js_space, ")-setcookie", js_space, `+["']?([^`, js_space_chars, `"']+)`])

pem_private_key := `-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----`

# (^|[^A-Za-z0-9])[A-Za-z0-9_.-]*(password|passwd|secret|token|api_?key|private_?key|credential|cookie)["']?\s*[=:]\s*["']?[^\s"'$<{],
# case-insensitive.
credential_assignment := concat("", [
	`(^|[^A-Za-z0-9])[A-Za-z0-9_.-]*`,
	`([Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]|[Pp][Aa][Ss][Ss][Ww][Dd]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Tt][Oo][Kk][Ee][Nn]|[Aa][Pp][Ii]_?[Kk][Ee][Yy]|[Pp][Rr][Ii][Vv][Aa][Tt][Ee]_?[Kk][Ee][Yy]|[Cc][Rr][Ee][Dd][Ee][Nn][Tt][Ii][Aa][Ll]|[Cc][Oo][Oo][Kk][Ii][Ee])`,
	`["']?`, js_space, "*[=:]", js_space, `*["']?[^`, js_space_chars, `"'$<{]`,
])

# Each object is evaluated in a fresh heap, where a pattern is compiled again on its first use: every pattern is
# guarded by a cheap condition that any match implies (a word of the pattern in lower(s), a literal it must
# contain), so that it is compiled only for the few strings that may match.
# Every alternative of credential_name and credential_assignment holds one of these words (lower-case).
credential_words := ["cookie", "pass", "secret", "token", "key", "credential"]

may_name_credential(s) if {
	l := lower(s)
	some w in credential_words
	contains(l, w)
}

names_credential(s) if {
	may_name_credential(s)
	regex.match(credential_name, s)
}

assigns_credential(s) if {
	may_name_credential(s)
	has_assignment_sign(s)
	regex.match(credential_assignment, s)
}

has_assignment_sign(s) if contains(s, "=")

has_assignment_sign(s) if contains(s, ":")

holds_private_key(s) if {
	contains(s, "PRIVATE KEY-----")
	regex.match(pem_private_key, s)
}

containers := k8s.all_containers(obj) if k8s.is_workload(obj)

# [container name, path of the env entry, entry] of every variable whose name says it holds a credential.
credential_env contains [c.name, array.concat(c.__path, ["env", i]), e] if {
	some c in containers
	some i, e in object.get(c, "env", [])
	names_credential(e.name)
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
	contains(text, "-setcookie")
	some m in regex.find_all_string_submatch_n(setcookie_arg, text, -1)
	not startswith(m[1], "$")
}

# Every problem of a ConfigMap comes through this one rule, past one test of its guard: the wasm target
# evaluates a rule again wherever it is referenced, and the guard of a 20,000-key ConfigMap is a regex over 1 MiB.
violation contains violation.at(control_id, message_id, obj, [field, key], {"configMap": k8s.name(obj), "key": key}) if {
	cm_may_name_credentials
	some [message_id, field, key] in cm_problems
}

cm_problems contains ["configMapCredentialKey", field, key] if {
	some [field, key] in cm_keys
	names_credential(key)
}

cm_keys := [[field, key] |
	obj.kind == "ConfigMap"
	some field in ["data", "binaryData"]
	values := object.get(obj, field, {})
	is_object(values)
	some key, _ in values
]

# data as written and binaryData decoded, as the kubelet hands both to a container: [field, key, text] entries,
# built only when a guard below passes.
cm_texts := env.config_map_text_entries(obj) if obj.kind == "ConfigMap"

# The keys of data and binaryData, and their texts, as plain lists: a ConfigMap is read as a whole before entry
# by entry, since a pattern can match an entry only if the joined text of all entries holds the pattern's guard
# (a credential word, "-setcookie", "PRIVATE KEY-----"). A ConfigMap of 20,000 keys that holds none is read in a
# few passes, without building an entry per key.
cm_key_names := [key |
	obj.kind == "ConfigMap"
	some field in ["data", "binaryData"]
	values := object.get(obj, field, {})
	is_object(values)
	some key, _ in values
]

cm_text := concat("\n", array.concat(
	[v | some v in object.get(obj, "data", {}); is_string(v)],
	[base64.decode(v) | some v in object.get(obj, "binaryData", {}); is_string(v); base64.is_valid(v)],
)) if obj.kind == "ConfigMap"

cm_joined := concat("\n", [concat("\n", cm_key_names), cm_text])

# Whether some key or text may name a credential: every alternative of credential_name and
# credential_assignment holds one of credential_words in ASCII letters of either case. A large ConfigMap is
# scanned once by a regex (compiled once per evaluation, which a small one does not pay: its entries are
# tested one by one, as every other text is).
# Defined either way: the wasm target keeps a rule's value for the evaluation only when it is defined.
default cm_may_name_credentials := false

cm_may_name_credentials if count(cm_key_names) <= 64

cm_may_name_credentials if {
	count(cm_key_names) > 64
	regex.match(credential_word_any_case, cm_joined)
}

credential_word_any_case := `[Cc][Oo][Oo][Kk][Ii][Ee]|[Pp][Aa][Ss][Ss]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Tt][Oo][Kk][Ee][Nn]|[Kk][Ee][Yy]|[Cc][Rr][Ee][Dd][Ee][Nn][Tt][Ii][Aa][Ll]`

# "-setcookie" holds "cookie" and "PRIVATE KEY-----" holds "KEY": a text holding either is one the guard
# (cm_may_name_credentials) finds, so a large ConfigMap that holds no credential word is not scanned for them.
cm_problems contains ["configMapSetcookie", field, key] if {
	contains(cm_text, "-setcookie")
	some [field, key, value] in cm_texts
	has_literal_setcookie(value)
}

cm_problems contains ["configMapPrivateKey", field, key] if {
	contains(cm_text, "PRIVATE KEY-----")
	some [field, key, value] in cm_texts
	holds_private_key(value)
}

cm_problems contains ["configMapCredentialAssignment", field, key] if {
	some [field, key, value] in cm_texts
	assigns_credential(value)
}
