package erlmcp.controls.net_no_open_ingress

import data.lib.k8s
import data.lib.net
import data.lib.violation

control_id := "net-no-open-ingress"

obj := input.review.object

ingress_rules[i] := rule if {
	obj.kind == "NetworkPolicy"
	some i, rule in net.array_or_empty(object.get(obj, ["spec", "ingress"], []))
}

violation contains v if {
	some i, rule in ingress_rules
	net.rule_admits_all_peers(rule, "from")
	v := violation.at(control_id, "ingressWithoutFrom", obj, ["spec", "ingress", i, "from"], rule_data(i, {}))
}

violation contains v if {
	some i, rule in ingress_rules
	some j, peer in net.rule_peers(rule, "from")
	net.empty_peer(peer)
	v := violation.at(control_id, "emptyPeer", obj, ["spec", "ingress", i, "from", j], rule_data(i, {}))
}

violation contains v if {
	some i, rule in ingress_rules
	some j, peer in net.rule_peers(rule, "from")
	net.any_namespace_peer(peer)
	v := violation.at(control_id, "anyNamespace", obj, ["spec", "ingress", i, "from", j, "namespaceSelector"], rule_data(i, {}))
}

violation contains v if {
	some i, rule in ingress_rules
	some j, peer in net.rule_peers(rule, "from")
	net.whole_space(peer.ipBlock.cidr)
	v := violation.at(control_id, "openIpBlock", obj, ["spec", "ingress", i, "from", j, "ipBlock", "cidr"], rule_data(i, {"cidr": peer.ipBlock.cidr}))
}

rule_data(i, extra) := object.union({"policy": k8s.name(obj), "rule": i}, extra)
