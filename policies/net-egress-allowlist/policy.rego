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
