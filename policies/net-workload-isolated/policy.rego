package erlmcp.controls.net_workload_isolated

import data.lib.k8s
import data.lib.net
import data.lib.violation

control_id := "net-workload-isolated"

directions := {"Ingress": "ingressNotIsolated", "Egress": "egressNotIsolated"}

# No field of the workload is to blame (a NetworkPolicy is missing): the finding is about the object.
violation contains v if {
	some w in net.workloads
	some direction, message_id in directions
	not isolated(w, direction)
	v := violation.make(control_id, message_id, w, {"workload": k8s.name(w), "kind": w.kind, "namespace": k8s.namespace(w)})
}

violation contains v if {
	some np in net.network_policies
	not selects_any(np)
	v := violation.at(control_id, "danglingPolicy", np, ["spec", "podSelector"], {"policy": k8s.name(np), "namespace": k8s.namespace(np)})
}

isolated(w, direction) if {
	some np in net.network_policies
	net.policy_types(np)[direction]
	net.isolates(np, w)
}

selects_any(np) if {
	some w in net.workloads
	net.may_select(np, w)
}
