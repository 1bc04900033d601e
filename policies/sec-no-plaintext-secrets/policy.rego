package erlmcp.controls.sec_no_plaintext_secrets

import data.lib.k8s

obj := input.review.object

violation contains out("plaintextSecret", {"secret": k8s.name(obj), "field": field}) if {
	obj.kind == "Secret"
	not obj.sops
	some field in ["data", "stringData"]
	count(object.get(obj, field, {})) > 0
}

violation contains out("sopsMacMissing", {"secret": k8s.name(obj)}) if {
	obj.kind == "Secret"
	obj.sops
	not obj.sops.mac
}

out(message_id, d) := {
	"msg": concat("", ["sec-no-plaintext-secrets: ", message_id, " in Secret ", k8s.name(obj)]),
	"details": {"messageId": message_id, "data": d, "resource": k8s.ref(obj)},
}
