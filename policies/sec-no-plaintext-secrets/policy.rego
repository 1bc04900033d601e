package erlmcp.controls.sec_no_plaintext_secrets

import data.lib.k8s
import data.lib.violation

control_id := "sec-no-plaintext-secrets"

# JSON null is unset (Gatekeeper hands over the object as written).
obj := k8s.reviewed_object

# One violation per plaintext key: data.<key> is the value to encrypt.
violation contains violation.at(control_id, "plaintextSecret", obj, [field, key], {"secret": k8s.name(obj), "field": field}) if {
	obj.kind == "Secret"
	not obj.sops
	some field in ["data", "stringData"]
	values := object.get(obj, field, {})
	is_object(values)
	some key, _ in values
}

violation contains violation.at(control_id, "sopsMacMissing", obj, ["sops", "mac"], {"secret": k8s.name(obj)}) if {
	obj.kind == "Secret"
	obj.sops
	not obj.sops.mac
}
