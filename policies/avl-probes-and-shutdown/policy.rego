package erlmcp.controls.avl_probes_and_shutdown

import data.lib.k8s
import data.lib.violation

control_id := "avl-probes-and-shutdown"

obj := input.review.object

min_grace := object.get(input, ["parameters", "minTerminationGracePeriodSeconds"], 30)

long_running if {
	k8s.is_workload(obj)
	not obj.kind in {"Job", "CronJob"}
}

erlang if {
	long_running
	k8s.is_erlang_node(obj)
}

grace := object.get(k8s.pod_spec(obj), "terminationGracePeriodSeconds", 30)

violation contains violation.at(control_id, "missingReadinessProbe", obj, main_container_path(i, "readinessProbe"), workload_data({"container": object.get(c, "name", "")})) if {
	long_running
	some i, c in k8s.main_containers(obj)
	not c.readinessProbe
}

violation contains violation.at(control_id, "missingLivenessProbe", obj, main_container_path(i, "livenessProbe"), workload_data({"container": object.get(c, "name", "")})) if {
	long_running
	some i, c in k8s.main_containers(obj)
	not c.livenessProbe
}

violation contains violation.at(control_id, "missingStartupProbe", obj, main_container_path(erlang_container, "startupProbe"), workload_data({})) if {
	erlang
	not any_main_container_has("startupProbe")
}

violation contains violation.at(control_id, "missingPreStop", obj, main_container_path(erlang_container, ["lifecycle", "preStop"]), workload_data({})) if {
	erlang
	not any_main_container_has_pre_stop
}

violation contains violation.at(control_id, "shortGracePeriod", obj, array.concat(k8s.pod_spec_path(obj), ["terminationGracePeriodSeconds"]), workload_data({"seconds": grace, "minSeconds": min_grace})) if {
	erlang
	grace < min_grace
}

any_main_container_has(field) if {
	some c in k8s.main_containers(obj)
	c[field]
}

any_main_container_has_pre_stop if {
	some c in k8s.main_containers(obj)
	c.lifecycle.preStop
}

# The path of a field (a key or a list of keys) of the main container at index i.
main_container_path(i, field) := array.concat(k8s.pod_spec_path(obj), array.concat(["containers", i], field)) if {
	is_array(field)
} else := array.concat(k8s.pod_spec_path(obj), ["containers", i, field])

# The main container that a workload-wide Erlang setting belongs to: the first that runs Erlang, else the first.
erlang_container := min(indexes) if {
	indexes := {i | some i, c in k8s.main_containers(obj); k8s.container_is_erlang(c)}
	count(indexes) > 0
} else := 0

workload_data(extra) := object.union({"kind": obj.kind, "workload": k8s.name(obj)}, extra)
