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

test_paths_point_at_the_label_or_the_labels_lacking_it if {
	[v.details.path | some v in control.violation] == [["metadata", "labels"]] with input as ns({"pod-security.kubernetes.io/warn": "restricted"})
	[v.details.path | some v in control.violation] == [["metadata"]] with input as {"review": {"object": {"kind": "Namespace", "metadata": {"name": "x"}}}}
	[v.details.path | some v in control.violation] == [["metadata", "labels", "pod-security.kubernetes.io/enforce"]] with input as ns({"pod-security.kubernetes.io/enforce": "privileged"})
}
