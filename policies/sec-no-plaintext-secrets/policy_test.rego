package erlmcp.controls.sec_no_plaintext_secrets_test

import data.erlmcp.controls.sec_no_plaintext_secrets as control

review(obj) := {"review": {"object": object.union({"apiVersion": "v1", "metadata": {"name": "s", "namespace": "erlmcp"}}, obj)}}

ids(vs) := {v.details.messageId | some v in vs}

test_plain_data_fails if {
	ids(control.violation) == {"plaintextSecret"} with input as review({"kind": "Secret", "data": {"a": "Yg=="}})
}

test_plain_string_data_fails if {
	ids(control.violation) == {"plaintextSecret"} with input as review({"kind": "Secret", "stringData": {"a": "b"}})
}

test_sops_encrypted_passes if {
	count(control.violation) == 0 with input as review({"kind": "Secret", "data": {"a": "ENC[...]"}, "sops": {"mac": "ENC[...]"}})
}

test_sops_without_mac_fails if {
	ids(control.violation) == {"sopsMacMissing"} with input as review({"kind": "Secret", "data": {"a": "ENC[...]"}, "sops": {"version": "3.9.0"}})
}

test_empty_and_token_secrets_pass if {
	count(control.violation) == 0 with input as review({"kind": "Secret", "data": {}})
	count(control.violation) == 0 with input as review({"kind": "Secret", "type": "kubernetes.io/service-account-token"})
}

test_operator_kinds_pass if {
	count(control.violation) == 0 with input as review({"kind": "SealedSecret", "spec": {"encryptedData": {"a": "AgB..."}}, "data": {"x": "y"}})
}

test_paths_point_at_each_plaintext_key_and_the_missing_mac if {
	vs := control.violation with input as review({"kind": "Secret", "data": {"a": "Yg==", "b": "Yg=="}, "stringData": {"c": "d"}})
	{v.details.path | some v in vs} == {["data", "a"], ["data", "b"], ["stringData", "c"]}
	some w in control.violation with input as review({"kind": "Secret", "data": {"a": "x"}, "sops": {"version": "3.9.0"}})
	w.details.path == ["sops"]
}
