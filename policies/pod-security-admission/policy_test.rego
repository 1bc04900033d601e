package erlmcp.controls.pod_security_admission_test

import data.erlmcp.controls.pod_security_admission as control

ns(labels) := {"review": {"object": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "erlmcp", "labels": labels}}}}

ids(vs) := {v.details.messageId | some v in vs}

test_restricted_passes if {
	count(control.violation) == 0 with input as ns({"pod-security.kubernetes.io/enforce": "restricted"})
}

test_missing_label_fails if {
	ids(control.violation) == {"enforceLabelMissing"} with input as ns({"pod-security.kubernetes.io/warn": "restricted"})
}

test_no_labels_fails if {
	ids(control.violation) == {"enforceLabelMissing"} with input as {"review": {"object": {"kind": "Namespace", "metadata": {"name": "x"}}}}
}

test_baseline_fails if {
	some v in control.violation with input as ns({"pod-security.kubernetes.io/enforce": "baseline"})
	v.details.messageId == "enforceLevelWeak"
	v.details.data.level == "baseline"
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "x"}}}}
}
