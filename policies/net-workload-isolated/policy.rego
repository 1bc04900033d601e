package erlmcp.controls.net_workload_isolated

import data.lib.k8s
import data.lib.net

directions := {"Ingress": "ingressNotIsolated", "Egress": "egressNotIsolated"}

violation contains v if {
	some w in net.workloads
	some direction, message_id in directions
	not isolated(w, direction)
	v := {
		"msg": concat("", ["net-workload-isolated: ", w.kind, " ", k8s.name(w), " is selected by no NetworkPolicy for ", direction]),
		"details": {
			"messageId": message_id,
			"data": {"workload": k8s.name(w), "kind": w.kind, "namespace": k8s.namespace(w)},
			"resource": k8s.ref(w),
		},
	}
}

violation contains v if {
	some np in net.network_policies
	not selects_any(np)
	v := {
		"msg": concat("", ["net-workload-isolated: NetworkPolicy ", k8s.name(np), " selects no workload"]),
		"details": {
			"messageId": "danglingPolicy",
			"data": {"policy": k8s.name(np), "namespace": k8s.namespace(np)},
			"resource": k8s.ref(np),
		},
	}
}

isolated(w, direction) if {
	some np in net.network_policies
	net.policy_types(np)[direction]
	net.selects(np, w)
}

selects_any(np) if {
	some w in net.workloads
	net.selects(np, w)
}
