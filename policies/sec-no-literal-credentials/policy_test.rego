package erlmcp.controls.sec_no_literal_credentials_test

import data.erlmcp.controls.sec_no_literal_credentials as control

pod(container) := {"review": {"object": {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p", "namespace": "erlmcp"},
	"spec": {"containers": [object.union({"name": "app", "image": "x"}, container)]},
}}}

config_map(d) := {"review": {"object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "erlmcp"}, "data": d}}}

ids(vs) := {v.details.messageId | some v in vs}

test_secret_ref_passes if {
	count(control.violation) == 0 with input as pod({"env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]})
}

test_literal_env_fails if {
	ids(control.violation) == {"literalCredentialEnv"} with input as pod({"env": [{"name": "api_key", "value": "abc"}]})
	count(control.violation) == 0 with input as pod({"env": [{"name": "API_TOKEN", "value": ""}, {"name": "LOG_LEVEL", "value": "info"}]})
}

test_config_map_ref_fails if {
	ids(control.violation) == {"credentialEnvFromConfigMap"} with input as pod({"env": [{"name": "RELEASE_COOKIE", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}]})
}

test_setcookie_literal_fails if {
	ids(control.violation) == {"setcookieLiteral"} with input as pod({"args": ["foreground", "-setcookie", "abc"]})
	ids(control.violation) == {"setcookieLiteral"} with input as pod({"command": ["sh", "-c", "exec erl -setcookie 'abc'"]})
	ids(control.violation) == {"setcookieLiteral"} with input as pod({"env": [{"name": "ERL_FLAGS", "value": "-setcookie abc"}]})
}

test_setcookie_reference_passes if {
	count(control.violation) == 0 with input as pod({"args": ["-setcookie", "$(RELEASE_COOKIE)"]})
	count(control.violation) == 0 with input as pod({"command": ["sh", "-c", "exec erl -setcookie \"$RELEASE_COOKIE\""]})
}

test_config_map_key_fails if {
	ids(control.violation) == {"configMapCredentialKey"} with input as config_map({"upstream-api-key": ""})
	ids(control.violation) == {"configMapCredentialKey"} with input as {"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "cm"}, "binaryData": {"token.bin": "AAA="}}}}
}

test_config_map_values if {
	ids(control.violation) == {"configMapSetcookie"} with input as config_map({"vm.args": "-name a\n-setcookie abc\n"})
	ids(control.violation) == {"configMapPrivateKey"} with input as config_map({"k.pem": "-----BEGIN RSA PRIVATE KEY-----\nMII\n"})
	ids(control.violation) == {"configMapCredentialAssignment"} with input as config_map({"app.conf": "db.password = hunter2"})
	ids(control.violation) == {"configMapCredentialAssignment"} with input as config_map({"app.json": "{\"token\": \"abc\"}"})
}

test_config_map_references_pass if {
	count(control.violation) == 0 with input as config_map({
		"vm.args": "-setcookie ${RELEASE_COOKIE}",
		"app.conf": "password_file = /run/secrets/p\nmax_tokens: 10\napi_key = ${KEY}\npassword: \"\"",
		"cert.pem": "-----BEGIN CERTIFICATE-----",
	})
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Service", "metadata": {"name": "s"}, "data": {"password": "x"}}}}
}

paths(vs) := {[v.details.messageId, v.details.path] | some v in vs}

test_paths_point_at_the_env_value_the_argv_list_and_the_config_map_key if {
	paths(control.violation) == {
		["literalCredentialEnv", ["spec", "containers", 0, "env", 1, "value"]],
		["credentialEnvFromConfigMap", ["spec", "containers", 0, "env", 2, "valueFrom", "configMapKeyRef"]],
		["setcookieLiteral", ["spec", "containers", 0, "args"]],
		["setcookieLiteral", ["spec", "containers", 0, "env", 0, "value"]],
	} with input as pod({
		"command": ["erl"],
		"args": ["-setcookie", "abc"],
		"env": [
			{"name": "ERL_FLAGS", "value": "-setcookie xyz"},
			{"name": "DB_PASSWORD", "value": "hunter2"},
			{"name": "RELEASE_COOKIE", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}},
		],
	})
	paths(control.violation) == {["setcookieLiteral", ["spec", "containers", 0, "command"]]} with input as pod({"command": ["erl", "-setcookie", "abc"], "args": ["foreground"]})
	paths(control.violation) == {["configMapCredentialKey", ["data", "db_password"]]} with input as config_map({"db_password": "$DB"})
}

# A ConfigMap is first read as a whole (the guards of cm_words and cm_text): one entry among many benign ones,
# in either case and in data or binaryData, is still found, each kind of finding on its own key.
benign := {sprintf("route.%d", [i]): sprintf("tenant-%d.svc:8080/mcp/%d", [i, i]) | some i in numbers.range(1, 500)}

test_one_credential_among_many_benign_entries_is_found if {
	d := object.union(benign, {
		"Db_PassWord": "x",
		"conf": "API_KEY = abc",
		"args": "erl -setcookie abc",
		"tls": "-----BEGIN RSA PRIVATE KEY-----\nabc",
	})
	found := {[v.details.messageId, v.details.path[1]] | some v in control.violation with input as config_map(d)}
	found == {
		["configMapCredentialKey", "Db_PassWord"],
		["configMapCredentialAssignment", "conf"],
		["configMapSetcookie", "args"],
		["configMapPrivateKey", "tls"],
	}
}

test_many_benign_entries_pass if {
	count(control.violation) == 0 with input as config_map(benign)
}

test_a_credential_key_in_binary_data_among_benign_data_is_found if {
	i := object.union(config_map(benign), {"review": {"object": {"binaryData": {"SECRET.bin": "eA=="}}}})
	paths(control.violation) == {["configMapCredentialKey", ["binaryData", "SECRET.bin"]]} with input as i
}

test_a_credential_key_with_no_credential_word_in_any_text_is_found if {
	paths(control.violation) == {["configMapCredentialKey", ["data", "Db_PassWord"]]} with input as config_map(object.union(benign, {"Db_PassWord": "x"}))
}

# The setcookie and private-key scans of a large ConfigMap run only past cm_may_name_credentials: each is found
# alone among benign entries, where "cookie" and "KEY" inside them are the only credential words.
test_a_setcookie_alone_among_many_benign_entries_is_found if {
	paths(control.violation) == {["configMapSetcookie", ["data", "args"]]} with input as config_map(object.union(benign, {"args": "erl -setcookie abc"}))
}

test_a_private_key_alone_among_many_benign_entries_is_found if {
	paths(control.violation) == {["configMapPrivateKey", ["data", "tls"]]} with input as config_map(object.union(benign, {"tls": "-----BEGIN EC PRIVATE KEY-----\nabc"}))
	i := object.union(config_map(benign), {"review": {"object": {"binaryData": {"tls.bin": base64.encode("-----BEGIN PRIVATE KEY-----\nabc")}}}})
	paths(control.violation) == {["configMapPrivateKey", ["binaryData", "tls.bin"]]} with input as i
}

# The guard reads binaryData's keys whatever their values: a credential key whose value is not base64 is found,
# and a credential word escaped in data's JSON (a tab before "oken") only lets the entries be read one by one.
test_a_credential_key_over_invalid_base64_among_benign_data_is_found if {
	i := object.union(config_map(benign), {"review": {"object": {"binaryData": {"api-token": "not base64!"}}}})
	paths(control.violation) == {["configMapCredentialKey", ["binaryData", "api-token"]]} with input as i
}

test_an_escaped_tab_before_a_word_tail_is_not_a_finding if {
	count(control.violation) == 0 with input as config_map(object.union(benign, {"note": "\token"}))
}
