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
	to_everything(rule)
	v := violation.make(control_id, "egressWithoutTo", obj, rule_data(i, {}))
}

violation contains v if {
	some i, rule in egress_rules
	every_port(rule)
	v := violation.make(control_id, "egressWithoutPorts", obj, rule_data(i, {}))
}

violation contains v if {
	some i, rule in egress_rules
	some peer in net.rule_peers(rule, "to")
	net.open_ip_block(peer.ipBlock)
	v := violation.make(control_id, "egressOpenIpBlock", obj, rule_data(i, {"cidr": peer.ipBlock.cidr}))
}

violation contains v if {
	some i, rule in egress_rules
	some p in net.array_or_empty(object.get(rule, "ports", []))
	dns_port(p)
	not only_kube_dns(rule)
	v := violation.make(control_id, "dnsNotKubeDns", obj, rule_data(i, {}))
}

to_everything(rule) if net.rule_admits_all_peers(rule, "to")

to_everything(rule) if {
	some peer in net.rule_peers(rule, "to")
	net.empty_peer(peer)
}

every_port(rule) if net.rule_all_ports(rule)

every_port(rule) if {
	some p in net.array_or_empty(object.get(rule, "ports", []))
	net.port_entry_all_ports(p)
}

dns_port(p) if net.port_entry_all_ports(p)

dns_port(p) if dns_port_names[p.port]

dns_port(p) if {
	is_number(p.port)
	p.port <= 53
	object.get(p, "endPort", p.port) >= 53
}

only_kube_dns(rule) if {
	count(net.rule_peers(rule, "to")) > 0
	every peer in net.rule_peers(rule, "to") {
		kube_dns_peer(peer)
	}
}

kube_dns_peer(peer) if {
	not net.present(peer, "ipBlock")
	k8s.selector_implies_label(peer.namespaceSelector, "kubernetes.io/metadata.name", "kube-system")
	k8s.selector_implies_label(peer.podSelector, "k8s-app", "kube-dns")
}

rule_data(i, extra) := object.union({"policy": k8s.name(obj), "rule": i}, extra)
