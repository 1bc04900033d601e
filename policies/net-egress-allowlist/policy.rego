package erlmcp.controls.net_egress_allowlist

import data.lib.k8s
import data.lib.violation

control_id := "net-egress-allowlist"

obj := input.review.object

open_cidrs := {"0.0.0.0/0", "::/0"}

dns_port_names := {"dns", "dns-tcp"}

egress_rules[i] := rule if {
	obj.kind == "NetworkPolicy"
	some i, rule in object.get(obj, ["spec", "egress"], [])
}

violation contains v if {
	some i, rule in egress_rules
	count(object.get(rule, "to", [])) == 0
	v := violation.make(control_id, "egressWithoutTo", obj, rule_data(i, {}))
}

violation contains v if {
	some i, rule in egress_rules
	count(object.get(rule, "ports", [])) == 0
	v := violation.make(control_id, "egressWithoutPorts", obj, rule_data(i, {}))
}

violation contains v if {
	some i, rule in egress_rules
	some peer in rule.to
	open_cidrs[peer.ipBlock.cidr]
	count(object.get(peer.ipBlock, "except", [])) == 0
	v := violation.make(control_id, "egressOpenIpBlock", obj, rule_data(i, {"cidr": peer.ipBlock.cidr}))
}

violation contains v if {
	some i, rule in egress_rules
	some p in object.get(rule, "ports", [])
	dns_port(p)
	not only_kube_dns(rule)
	v := violation.make(control_id, "dnsNotKubeDns", obj, rule_data(i, {}))
}

dns_port(p) if dns_port_names[p.port]

dns_port(p) if {
	is_number(p.port)
	p.port <= 53
	object.get(p, "endPort", p.port) >= 53
}

only_kube_dns(rule) if {
	count(object.get(rule, "to", [])) > 0
	every peer in rule.to {
		kube_dns_peer(peer)
	}
}

kube_dns_peer(peer) if {
	not peer.ipBlock
	peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"] == "kube-system"
	peer.podSelector.matchLabels["k8s-app"] == "kube-dns"
}

rule_data(i, extra) := object.union({"policy": k8s.name(obj), "rule": i}, extra)
