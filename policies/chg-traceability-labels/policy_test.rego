package erlmcp.controls.chg_traceability_labels_test

import data.erlmcp.controls.chg_traceability_labels as control

full := {
	"app.kubernetes.io/name": "erlmcp",
	"app.kubernetes.io/instance": "erlmcp-prod",
	"app.kubernetes.io/version": "3.0.0",
	"app.kubernetes.io/part-of": "erlmcp",
	"app.kubernetes.io/managed-by": "Helm",
}

resource(kind, labels) := {"review": {"object": {"kind": kind, "metadata": {"name": "x", "namespace": "erlmcp", "labels": labels}}}}

test_full_labels_pass if {
	count(control.violation) == 0 with input as resource("Service", full)
}

test_missing_and_empty_labels_fail if {
	vs := control.violation with input as resource("StatefulSet", object.union(object.remove(full, ["app.kubernetes.io/version"]), {"app.kubernetes.io/instance": ""}))
	{v.details.data.label | some v in vs} == {"app.kubernetes.io/version", "app.kubernetes.io/instance"}
}

test_configmap_without_labels_fails_five_times if {
	count(control.violation) == 5 with input as {"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "c"}}}}
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as resource("Secret", {})
}

test_paths_point_at_the_label_or_where_it_goes if {
	vs := control.violation with input as resource("Service", object.union(object.remove(full, ["app.kubernetes.io/version"]), {"app.kubernetes.io/instance": ""}))
	{v.details.path | some v in vs} == {["metadata", "labels"], ["metadata", "labels", "app.kubernetes.io/instance"]}
	{v.details.path | some v in control.violation} == {["metadata"]} with input as {"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "c"}}}}
}
