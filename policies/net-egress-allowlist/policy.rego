package erlmcp.controls.net_egress_allowlist

import data.lib.k8s
import data.lib.net
import data.lib.violation

control_id := "net-egress-allowlist"

obj := input.review.object

dns_port_names := {"dns", "dns-tcp"}

egress_rules[i] := rule if {
	obj.kind == "NetworkPolicy"
	some i, rule in net.array_or_empty(object.get(obj, ["spec", "egress"], []))
}

violation contains v if {
	some i, rule in egress_rules
	some path in to_everything_paths(rule)
	v := violation.at(control_id, "egressWithoutTo", obj, rule_path(i, path), rule_data(i, {}))
}

violation contains v if {
	some i, rule in egress_rules
	some path in every_port_paths(rule)
	v := violation.at(control_id, "egressWithoutPorts", obj, rule_path(i, path), rule_data(i, {}))
}

violation contains v if {
	some i, rule in egress_rules
	some j, peer in net.rule_peers(rule, "to")
	net.open_ip_block(peer.ipBlock)
	v := violation.at(control_id, "egressOpenIpBlock", obj, rule_path(i, ["to", j, "ipBlock", "cidr"]), rule_data(i, {"cidr": peer.ipBlock.cidr}))
}

violation contains v if {
	some i, rule in egress_rules
	some p in net.array_or_empty(object.get(rule, "ports", []))
	dns_port(p)
	some path in not_kube_dns_paths(rule)
	v := violation.at(control_id, "dnsNotKubeDns", obj, rule_path(i, path), rule_data(i, {}))
}

# The ipBlocks of all egress rules are allowed together: a union that, each block minus its valid
# excepts, covers a family without an open /0 of it (0.0.0.0/1 + 128.0.0.0/1, or 0.0.0.0/0 except
# 10.0.0.0/8 plus 10.0.0.0/8) allows the internet too. The finding names the blocks and points at the first.
violation contains v if {
	some family in net.families_covered_minus_excepts([b.block | some b in ip_blocks])
	not open_families[family]
	named := [b | some b in ip_blocks; b.family == family]
	first := named[0]
	fields := rule_data(first.rule, {"cidrs": concat(", ", [b.block.cidr | some b in named]), "family": sprintf("IPv%d", [family])})
	v := violation.at(control_id, "egressOpenIpBlockUnion", obj, rule_path(first.rule, ["to", first.peer, "ipBlock", "cidr"]), fields)
}

# Every ipBlock with a valid cidr of the egress rules, in document order.
ip_blocks := [{"rule": i, "peer": j, "block": peer.ipBlock, "family": n.family} |
	obj.kind == "NetworkPolicy"
	some i, rule in net.array_or_empty(object.get(obj, ["spec", "egress"], []))
	some j, peer in net.rule_peers(rule, "to")
	n := net.cidr_network(peer.ipBlock.cidr)
]

open_families contains b.family if {
	some b in ip_blocks
	net.open_ip_block(b.block)
}

rule_path(i, path) := array.concat(["spec", "egress", i], path)

# Where a rule allows every destination: its missing or empty `to`, else each empty peer.
to_everything_paths(rule) := {["to"]} if {
	net.rule_admits_all_peers(rule, "to")
} else := {["to", j] |
	some j, peer in net.rule_peers(rule, "to")
	net.empty_peer(peer)
}

# Where a rule allows every port: its missing or empty `ports`, else each entry without `port`.
every_port_paths(rule) := {["ports"]} if {
	net.rule_all_ports(rule)
} else := {["ports", k, "port"] |
	some k, p in net.array_or_empty(object.get(rule, "ports", []))
	net.port_entry_all_ports(p)
}

# Where a DNS rule reaches beyond kube-dns: its missing or empty `to`, else each other peer.
not_kube_dns_paths(rule) := {["to"]} if {
	net.rule_admits_all_peers(rule, "to")
} else := {["to", j] |
	some j, peer in net.rule_peers(rule, "to")
	not kube_dns_peer(peer)
}

dns_port(p) if net.port_entry_all_ports(p)

dns_port(p) if dns_port_names[p.port]

dns_port(p) if {
	is_number(p.port)
	p.port <= 53
	object.get(p, "endPort", p.port) >= 53
}

kube_dns_peer(peer) if {
	not net.present(peer, "ipBlock")
	k8s.selector_implies_label(peer.namespaceSelector, "kubernetes.io/metadata.name", "kube-system")
	k8s.selector_implies_label(peer.podSelector, "k8s-app", "kube-dns")
}

rule_data(i, extra) := object.union({"policy": k8s.name(obj), "rule": i}, extra)
