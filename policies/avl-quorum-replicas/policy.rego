package erlmcp.controls.avl_quorum_replicas

import data.lib.k8s

obj := input.review.object

min_replicas := object.get(input, ["parameters", "minReplicas"], 3)

require_odd := object.get(input, ["parameters", "requireOdd"], true)

erlang_sts if {
	obj.kind == "StatefulSet"
	k8s.is_erlang_node(obj)
}

n := k8s.replicas(obj)

strategy := object.get(obj, ["spec", "updateStrategy", "type"], "RollingUpdate")

violation contains out("tooFewReplicas", {"replicas": n, "minReplicas": min_replicas}) if {
	erlang_sts
	n < min_replicas
}

violation contains out("evenReplicas", {"replicas": n}) if {
	erlang_sts
	require_odd
	n % 2 == 0
}

violation contains out("updateStrategyNotRolling", {"strategy": strategy}) if {
	erlang_sts
	strategy != "RollingUpdate"
}

violation contains out("noMinReadySeconds", {}) if {
	erlang_sts
	not object.get(obj, ["spec", "minReadySeconds"], 0) > 0
}

out(message_id, extra) := {
	"msg": concat("", ["avl-quorum-replicas: ", message_id, " for StatefulSet ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": object.union({"workload": k8s.name(obj)}, extra),
		"resource": k8s.ref(obj),
	},
}
