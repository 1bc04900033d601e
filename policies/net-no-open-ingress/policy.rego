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

# The ipBlocks of all ingress rules are admitted together: a union covering a family without any /0 of it
# (0.0.0.0/1 + 128.0.0.0/1, in one rule or several) admits the internet too. The finding names the blocks
# of that family and points at the first.
violation contains v if {
	some family in net.families_covered([b.cidr | some b in ip_blocks])
	not whole_space_families[family]
	named := [b | some b in ip_blocks; b.family == family]
	first := named[0]
	fields := rule_data(first.rule, {"cidrs": concat(", ", [b.cidr | some b in named]), "family": sprintf("IPv%d", [family])})
	v := violation.at(control_id, "openIpBlockUnion", obj, ["spec", "ingress", first.rule, "from", first.peer, "ipBlock", "cidr"], fields)
}

# Every valid ipBlock cidr of the ingress rules, in document order, but the /0s (flagged one by one).
ip_blocks := [{"rule": i, "peer": j, "cidr": cidr, "family": n.family} |
	obj.kind == "NetworkPolicy"
	some i, rule in net.array_or_empty(object.get(obj, ["spec", "ingress"], []))
	some j, peer in net.rule_peers(rule, "from")
	cidr := peer.ipBlock.cidr
	n := net.cidr_network(cidr)
	n.bits != ""
]

whole_space_families contains n.family if {
	some rule in ingress_rules
	some peer in net.rule_peers(rule, "from")
	n := net.cidr_network(peer.ipBlock.cidr)
	n.bits == ""
}

rule_data(i, extra) := object.union({"policy": k8s.name(obj), "rule": i}, extra)
