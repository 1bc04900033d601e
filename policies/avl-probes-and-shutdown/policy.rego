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

violation contains violation.make(control_id, "missingReadinessProbe", obj, workload_data({"container": object.get(c, "name", "")})) if {
	long_running
	some c in k8s.main_containers(obj)
	not c.readinessProbe
}

violation contains violation.make(control_id, "missingLivenessProbe", obj, workload_data({"container": object.get(c, "name", "")})) if {
	long_running
	some c in k8s.main_containers(obj)
	not c.livenessProbe
}

violation contains violation.make(control_id, "missingStartupProbe", obj, workload_data({})) if {
	erlang
	not any_main_container_has("startupProbe")
}

violation contains violation.make(control_id, "missingPreStop", obj, workload_data({})) if {
	erlang
	not any_main_container_has_pre_stop
}

violation contains violation.make(control_id, "shortGracePeriod", obj, workload_data({"seconds": grace, "minSeconds": min_grace})) if {
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

workload_data(extra) := object.union({"kind": obj.kind, "workload": k8s.name(obj)}, extra)
