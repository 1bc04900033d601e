package erlmcp.controls.avl_quorum_replicas

import data.lib.k8s
import data.lib.violation

control_id := "avl-quorum-replicas"

obj := input.review.object

min_replicas := object.get(input, ["parameters", "minReplicas"], 3)

require_odd := object.get(input, ["parameters", "requireOdd"], true)

erlang_sts if {
	obj.kind == "StatefulSet"
	k8s.is_erlang_node(obj)
}

n := k8s.replicas(obj)

strategy := object.get(obj, ["spec", "updateStrategy", "type"], "RollingUpdate")

violation contains violation.at(control_id, "tooFewReplicas", obj, ["spec", "replicas"], workload_data({"replicas": n, "minReplicas": min_replicas})) if {
	erlang_sts
	n < min_replicas
}

violation contains violation.at(control_id, "evenReplicas", obj, ["spec", "replicas"], workload_data({"replicas": n})) if {
	erlang_sts
	require_odd
	n % 2 == 0
}

violation contains violation.at(control_id, "updateStrategyNotRolling", obj, ["spec", "updateStrategy", "type"], workload_data({"strategy": strategy})) if {
	erlang_sts
	strategy != "RollingUpdate"
}

violation contains violation.at(control_id, "noMinReadySeconds", obj, ["spec", "minReadySeconds"], workload_data({})) if {
	erlang_sts
	not object.get(obj, ["spec", "minReadySeconds"], 0) > 0
}

workload_data(extra) := object.union({"workload": k8s.name(obj)}, extra)
