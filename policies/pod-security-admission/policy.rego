package erlmcp.controls.pod_security_admission

import data.lib.k8s

obj := input.review.object

label := "pod-security.kubernetes.io/enforce"

violation contains out("enforceLabelMissing", {}) if {
	obj.kind == "Namespace"
	not k8s.labels(obj)[label]
}

violation contains out("enforceLevelWeak", {"level": level}) if {
	obj.kind == "Namespace"
	level := k8s.labels(obj)[label]
	level != "restricted"
}

out(message_id, extra) := {
	"msg": concat("", ["pod-security-admission: ", message_id, " on Namespace ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": object.union({"namespace": k8s.name(obj)}, extra),
		"resource": k8s.ref(obj),
	},
}
