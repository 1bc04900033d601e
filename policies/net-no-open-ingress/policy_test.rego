package erlmcp.controls.net_no_open_ingress_test

import data.erlmcp.controls.net_no_open_ingress as control

netpol(ingress) := {"review": {"object": {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "np", "namespace": "erlmcp"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": ingress},
}}}

ids(vs) := {v.details.messageId | some v in vs}

test_named_peer_passes if {
	count(control.violation) == 0 with input as netpol([{"from": [{"podSelector": {"matchLabels": {"app": "x"}}}]}])
}

test_no_ingress_rules_passes if {
	count(control.violation) == 0 with input as netpol([])
}

test_rule_without_from_fails if {
	ids(control.violation) == {"ingressWithoutFrom"} with input as netpol([{"ports": [{"port": 80}]}])
}

test_empty_peer_fails if {
	ids(control.violation) == {"emptyPeer"} with input as netpol([{"from": [{}]}])
}

test_any_namespace_fails if {
	ids(control.violation) == {"anyNamespace"} with input as netpol([{"from": [{"namespaceSelector": {}}]}])
}

test_any_namespace_with_pod_selector_passes if {
	count(control.violation) == 0 with input as netpol([{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"a": "b"}}}]}])
}

test_open_ipv6_block_fails if {
	ids(control.violation) == {"openIpBlock"} with input as netpol([{"from": [{"ipBlock": {"cidr": "::/0"}}]}])
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Service", "spec": {"ingress": [{}]}}}}
}

test_paths_point_at_the_rule_or_the_peer if {
	vs := control.violation with input as netpol([
		{"ports": [{"port": 80}]},
		{"from": [{"podSelector": {"matchLabels": {"app": "x"}}}, {}, {"namespaceSelector": {}}, {"ipBlock": {"cidr": "::/0"}}]},
	])
	{[v.details.messageId, v.details.path] | some v in vs} == {
		["ingressWithoutFrom", ["spec", "ingress", 0]],
		["emptyPeer", ["spec", "ingress", 1, "from", 1]],
		["anyNamespace", ["spec", "ingress", 1, "from", 2, "namespaceSelector"]],
		["openIpBlock", ["spec", "ingress", 1, "from", 3, "ipBlock", "cidr"]],
	}
}

blocks(cidrs) := [{"ipBlock": {"cidr": c}} | some c in cidrs]

test_union_of_halves_in_one_rule_fails if {
	vs := control.violation with input as netpol([{"from": blocks(["0.0.0.0/1", "128.0.0.0/1"])}])
	ids(vs) == {"openIpBlockUnion"}
	some v in vs
	v.details.data == {"policy": "np", "rule": 0, "cidrs": "0.0.0.0/1, 128.0.0.0/1", "family": "IPv4"}
	v.details.path == ["spec", "ingress", 0, "from", 0, "ipBlock", "cidr"]
}

test_union_over_rules_fails_at_first_block if {
	vs := control.violation with input as netpol([
		{"from": [{"podSelector": {"matchLabels": {"a": "b"}}}]},
		{"from": blocks(["8000::/1", "10.0.0.0/8"])},
		{"from": [{"ipBlock": {"cidr": "::/1", "except": ["::/8"]}}]},
	])
	ids(vs) == {"openIpBlockUnion"}
	some v in vs
	v.details.data.cidrs == "8000::/1, ::/1"
	v.details.data.family == "IPv6"
	v.details.path == ["spec", "ingress", 1, "from", 0, "ipBlock", "cidr"]
}

test_union_with_slash_zero_is_one_finding if {
	ids(control.violation) == {"openIpBlock"} with input as netpol([{"from": blocks(["0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1"])}])
}

test_near_cover_passes if {
	count(control.violation) == 0 with input as netpol([{"from": blocks(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "8000::/1"])}])
}
