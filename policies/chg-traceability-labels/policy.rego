package erlmcp.controls.chg_traceability_labels

import data.lib.k8s
import data.lib.violation

control_id := "chg-traceability-labels"

obj := input.review.object

required_labels := [
	"app.kubernetes.io/name",
	"app.kubernetes.io/instance",
	"app.kubernetes.io/version",
	"app.kubernetes.io/part-of",
	"app.kubernetes.io/managed-by",
]

applies if k8s.is_workload(obj)

applies if obj.kind in {"Service", "ConfigMap"}

violation contains v if {
	applies
	some label in required_labels
	object.get(k8s.labels(obj), label, "") == ""
	v := violation.at(control_id, "labelMissing", obj, ["metadata", "labels", label], {"label": label})
}
