package erlmcp.controls.net_egress_allowlist_test

import data.erlmcp.controls.net_egress_allowlist as control

netpol(egress) := {"review": {"object": {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "np", "namespace": "erlmcp"},
	"spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": egress},
}}}

kube_dns := {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}

ids(egress) := {v.details.messageId | some v in control.violation with input as netpol(egress)}

test_dns_to_kube_dns_passes if {
	ids([{"to": [kube_dns], "ports": [{"port": 53, "protocol": "UDP"}, {"port": "dns-tcp", "protocol": "TCP"}]}]) == set()
}

test_scoped_rule_passes if {
	ids([{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}], "ports": [{"port": 443}]}]) == set()
}

test_no_egress_passes if {
	ids([]) == set()
}

test_without_to if {
	ids([{"ports": [{"port": 443}]}]) == {"egressWithoutTo"}
}

test_without_ports if {
	ids([{"to": [{"podSelector": {}}]}]) == {"egressWithoutPorts"}
}

test_open_ip_block if {
	ids([{"to": [{"ipBlock": {"cidr": "::/0"}}], "ports": [{"port": 443}]}]) == {"egressOpenIpBlock"}
}

test_dns_elsewhere if {
	ids([{"to": [{"podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": [{"port": 53, "protocol": "UDP"}]}]) == {"dnsNotKubeDns"}
}

test_dns_range if {
	ids([{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": [{"port": 1, "endPort": 1024}]}]) == {"dnsNotKubeDns"}
}

test_dns_without_to if {
	ids([{"ports": [{"port": "dns"}]}]) == {"egressWithoutTo", "dnsNotKubeDns"}
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Service", "spec": {"egress": [{}]}}}}
}

paths(egress) := {[v.details.messageId, v.details.path] | some v in control.violation with input as netpol(egress)}

test_paths_point_at_the_rule_field_or_the_peer if {
	paths([
		{"ports": [{"port": 443}]},
		{"to": [kube_dns, {}, {"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 53, "protocol": "UDP"}, {"protocol": "TCP"}]},
	]) == {
		["egressWithoutTo", ["spec", "egress", 0]],
		["egressWithoutTo", ["spec", "egress", 1, "to", 1]],
		["egressWithoutPorts", ["spec", "egress", 1, "ports", 1]],
		["egressOpenIpBlock", ["spec", "egress", 1, "to", 2, "ipBlock", "cidr"]],
		["dnsNotKubeDns", ["spec", "egress", 1, "to", 1]],
		["dnsNotKubeDns", ["spec", "egress", 1, "to", 2]],
	}
	paths([{"to": [], "ports": []}]) == {["egressWithoutTo", ["spec", "egress", 0, "to"]], ["egressWithoutPorts", ["spec", "egress", 0, "ports"]]}
}

https := [{"port": 443, "protocol": "TCP"}]

test_union_of_halves_over_rules if {
	egress := [
		{"to": [{"ipBlock": {"cidr": "0.0.0.0/1"}}], "ports": https},
		{"to": [{"ipBlock": {"cidr": "128.0.0.0/1"}}], "ports": https},
	]
	ids(egress) == {"egressOpenIpBlockUnion"}
	some v in control.violation with input as netpol(egress)
	v.details.data == {"policy": "np", "rule": 0, "cidrs": "0.0.0.0/1, 128.0.0.0/1", "family": "IPv4"}
	v.details.path == ["spec", "egress", 0, "to", 0, "ipBlock", "cidr"]
}

test_union_refills_an_except if {
	ids([{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}, {"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": https}]) == {"egressOpenIpBlockUnion"}
}

test_union_with_holes_passes if {
	count(ids([{"to": [{"ipBlock": {"cidr": "0.0.0.0/1", "except": ["10.0.0.0/8"]}}, {"ipBlock": {"cidr": "128.0.0.0/1"}}], "ports": https}])) == 0
}

test_open_block_is_one_finding if {
	ids([{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "0.0.0.0/1"}}], "ports": https}]) == {"egressOpenIpBlock"}
}
