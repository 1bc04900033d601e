package lib.env_test

import data.lib.env

secret := {"kind": "Secret", "metadata": {"name": "s", "namespace": "n"}, "data": {"RELEASE_COOKIE": "eA=="}}

config_map := {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}, "binaryData": {"RELEASE_COOKIE": "eA=="}}

provided := env.provided_keys([secret, config_map])

test_last_env_entry_wins if {
	c := {"env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}
	env.effective_env(c, "n", provided).A.entry.value == "2"
}

test_env_overrides_env_from if {
	c := {"envFrom": [{"secretRef": {"name": "s"}}], "env": [{"name": "RELEASE_COOKIE", "value": "x"}]}
	env.literal_value(env.effective_env(c, "n", provided).RELEASE_COOKIE) == "x"
}

test_later_env_from_overrides_earlier_and_reads_binary_data_keys if {
	c := {"envFrom": [{"secretRef": {"name": "s"}}, {"configMapRef": {"name": "c"}}]}
	src := env.effective_env(c, "n", provided).RELEASE_COOKIE
	src.kind == "configMap"
	not env.from_secret(src)
}

test_env_from_prefix_and_unknown_source if {
	c := {"envFrom": [{"secretRef": {"name": "s"}, "prefix": "APP_"}, {"secretRef": {"name": "elsewhere"}}]}
	object.keys(env.effective_env(c, "n", provided)) == {"APP_RELEASE_COOKIE"}
}

test_config_map_texts_decode_binary_data if {
	texts := env.config_map_texts({"data": {"a": "x"}, "binaryData": {"b": "LXNldGNvb2tpZSBhYmM=", "png": "iVBORw0KGgo=", "bad": "%%"}})
	texts.a == "x"
	texts.b == "-setcookie abc"
	not texts.bad
}

test_config_map_text_entries_name_their_field if {
	entries := env.config_map_text_entries({"data": {"a": "x", "n": 1}, "binaryData": {"b": "LXNldGNvb2tpZSBhYmM=", "bad": "%%"}})
	entries == [["data", "a", "x"], ["binaryData", "b", "-setcookie abc"]]
}

test_provided_keys_of_no_source_is_empty if {
	env.provided_keys([]) == {}
}

test_provided_keys_merge_every_source_of_one_name if {
	replaced := {"kind": "Secret", "metadata": {"name": "s", "namespace": "n"}, "data": {"OLD": "eA=="}}
	other := {"kind": "Secret", "metadata": {"name": "s", "namespace": "m"}, "stringData": {"M": "x"}}
	keys := env.provided_keys([external("a", "A"), replaced, other, config_map, secret, external("b", "B")])
	keys == {
		"secret/n/s": {"A": true, "B": true, "RELEASE_COOKIE": true},
		"secret/m/s": {"M": true},
		"configMap/n/c": {"RELEASE_COOKIE": true},
	}
}

external(name, key) := {
	"kind": "ExternalSecret", "metadata": {"name": name, "namespace": "n"},
	"spec": {"target": {"name": "s"}, "data": [{"secretKey": key}]},
}
