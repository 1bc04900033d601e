package erlmcp.controls.pod_namespace_placement_test

import data.erlmcp.controls.pod_namespace_placement as control

resource(kind, metadata) := {"review": {"object": {"apiVersion": "v1", "kind": kind, "metadata": metadata}}}

ids(vs) := {v.details.messageId | some v in vs}

test_app_namespace_passes if {
	count(control.violation) == 0 with input as resource("ConfigMap", {"name": "c", "namespace": "erlmcp"})
}

test_cluster_scoped_passes if {
	count(control.violation) == 0 with input as resource("ClusterRole", {"name": "r"})
}

test_missing_namespace_fails if {
	ids(control.violation) == {"namespaceMissing"} with input as resource("Deployment", {"name": "d"})
}

test_empty_namespace_fails if {
	ids(control.violation) == {"namespaceMissing"} with input as resource("Service", {"name": "s", "namespace": ""})
}

test_reserved_namespace_fails if {
	ids(control.violation) == {"reservedNamespace"} with input as resource("Secret", {"name": "s", "namespace": "kube-system"})
}

test_object_without_kind_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"metadata": {"name": "x"}}}}
}

test_missing_namespace_points_at_metadata if {
	[v.details.path | some v in control.violation] == [["metadata"]] with input as resource("Deployment", {"name": "d"})
}

test_reserved_namespace_points_at_the_namespace if {
	[v.details.path | some v in control.violation] == [["metadata", "namespace"]] with input as resource("Secret", {"name": "s", "namespace": "default"})
}
