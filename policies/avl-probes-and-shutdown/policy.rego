package erlmcp.controls.avl_probes_and_shutdown

import data.lib.k8s

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

violation contains out("missingReadinessProbe", {"container": object.get(c, "name", "")}) if {
	long_running
	some c in k8s.main_containers(obj)
	not c.readinessProbe
}

violation contains out("missingLivenessProbe", {"container": object.get(c, "name", "")}) if {
	long_running
	some c in k8s.main_containers(obj)
	not c.livenessProbe
}

violation contains out("missingStartupProbe", {}) if {
	erlang
	not any_main_container_has("startupProbe")
}

violation contains out("missingPreStop", {}) if {
	erlang
	not any_main_container_has_pre_stop
}

violation contains out("shortGracePeriod", {"seconds": grace, "minSeconds": min_grace}) if {
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

out(message_id, extra) := {
	"msg": concat("", ["avl-probes-and-shutdown: ", message_id, " for ", obj.kind, " ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": object.union({"kind": obj.kind, "workload": k8s.name(obj)}, extra),
		"resource": k8s.ref(obj),
	},
}
