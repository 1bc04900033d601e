package erlmcp.controls.sec_no_plaintext_secrets

import data.lib.k8s
import data.lib.violation

control_id := "sec-no-plaintext-secrets"

# JSON null is unset (Gatekeeper hands over the object as written).
obj := k8s.without_nulls(input.review.object)

violation contains violation.make(control_id, "plaintextSecret", obj, {"secret": k8s.name(obj), "field": field}) if {
	obj.kind == "Secret"
	not obj.sops
	some field in ["data", "stringData"]
	count(object.get(obj, field, {})) > 0
}

violation contains violation.make(control_id, "sopsMacMissing", obj, {"secret": k8s.name(obj)}) if {
	obj.kind == "Secret"
	obj.sops
	not obj.sops.mac
}
