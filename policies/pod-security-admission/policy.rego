package erlmcp.controls.pod_security_admission

import data.lib.k8s
import data.lib.violation

control_id := "pod-security-admission"

obj := input.review.object

label := "pod-security.kubernetes.io/enforce"

violation contains violation.at(control_id, "enforceLabelMissing", obj, label_path, namespace_data({})) if {
	obj.kind == "Namespace"
	not k8s.labels(obj)[label]
}

violation contains violation.at(control_id, "enforceLevelWeak", obj, label_path, namespace_data({"level": level})) if {
	obj.kind == "Namespace"
	level := k8s.labels(obj)[label]
	level != "restricted"
}

label_path := ["metadata", "labels", label]

namespace_data(extra) := object.union({"namespace": k8s.name(obj)}, extra)
