package erlmcp.controls.net_no_open_ingress

import data.lib.k8s
import data.lib.violation

control_id := "net-no-open-ingress"

obj := input.review.object

open_cidrs := {"0.0.0.0/0", "::/0"}

ingress_rules[i] := rule if {
	obj.kind == "NetworkPolicy"
	some i, rule in object.get(obj, ["spec", "ingress"], [])
}

violation contains v if {
	some i, rule in ingress_rules
	not rule.from
	v := violation.make(control_id, "ingressWithoutFrom", obj, rule_data(i, {}))
}

violation contains v if {
	some i, rule in ingress_rules
	some peer in rule.from
	count(peer) == 0
	v := violation.make(control_id, "emptyPeer", obj, rule_data(i, {}))
}

violation contains v if {
	some i, rule in ingress_rules
	some peer in rule.from
	count(object.get(peer, "namespaceSelector", {"x": 1})) == 0
	not peer.podSelector
	v := violation.make(control_id, "anyNamespace", obj, rule_data(i, {}))
}

violation contains v if {
	some i, rule in ingress_rules
	some peer in rule.from
	open_cidrs[peer.ipBlock.cidr]
	v := violation.make(control_id, "openIpBlock", obj, rule_data(i, {"cidr": peer.ipBlock.cidr}))
}

rule_data(i, extra) := object.union({"policy": k8s.name(obj), "rule": i}, extra)
