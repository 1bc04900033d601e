package lib.net_test

import data.lib.net

test_whole_space_any_digits if {
	net.whole_space("0.0.0.0/0")
	net.whole_space("1.2.3.4/0")
	net.whole_space("10.0.0.0/00")
	net.whole_space("::/0")
	net.whole_space("2001:db8::/0")
}

test_not_whole_space if {
	not net.whole_space("10.0.0.0/8")
	not net.whole_space("0.0.0.0/1")
	not net.whole_space("::/128")
	not net.whole_space("bad/0")
	not net.whole_space("1.2.3.4")
	not net.whole_space(7)
}

test_open_ip_block_holes_are_numeric if {
	net.open_ip_block({"cidr": "1.2.3.4/0"})
	net.open_ip_block({"cidr": "1.2.3.4/0", "except": []})
	net.open_ip_block({"cidr": "2001:db8::/0", "except": ["10.0.0.0/8"]})
	not net.open_ip_block({"cidr": "1.2.3.4/0", "except": ["10.0.0.0/8"]})
	not net.open_ip_block({"cidr": "::/0", "except": ["fd00::/8"]})
	not net.open_ip_block({"cidr": "10.0.0.0/8"})
}

test_cidr_network_bits if {
	net.cidr_network("10.1.2.3/12") == {"family": 4, "bits": "000010100000"}
	net.cidr_network("1.2.3.4/0") == {"family": 4, "bits": ""}
	net.cidr_network("2001:DB8::/20") == {"family": 6, "bits": "00100000000000010000"}
	net.cidr_network("::ffff:192.0.2.1/95") == {"family": 6, "bits": concat("", [substring(net.zero_bits, 0, 80), "111111111111111"])}
	net.cidr_network("::ffff:192.0.2.1/100") == {"family": 4, "bits": "1100"}
	net.cidr_network("1:2:3:4:5:6:7:8/128").bits == concat("", [sprintf("%016b", [n]) | some n in numbers.range(1, 8)])
	net.cidr_network("010.0.0.0/8") == {"family": 4, "bits": "00001010"}
	not net.cidr_network("1::2::3/64")
	not net.cidr_network(7)
}

test_families_covered_by_union if {
	net.families_covered(["0.0.0.0/1", "128.0.0.0/1"]) == {4}
	net.families_covered(["::/1", "8000::/1", "0.0.0.0/1"]) == {6}
	net.families_covered(["0.0.0.0/1", "64.0.0.0/2", "10.0.0.0/8", "128.1.2.3/1", "128.0.0.0/1"]) == {4}
	net.families_covered([sprintf("%d.0.0.0/8", [i]) | some i in numbers.range(0, 255)]) == {4}
	net.families_covered([sprintf("%d.0.0.0/8", [i]) | some i in numbers.range(1, 255)]) == set()
	net.families_covered(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/4"]) == {4}
	net.families_covered(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4"]) == set()
	net.families_covered(["::/0", "bad/1"]) == {6}
	net.families_covered(["0.0.0.0/1", "8000::/1", 7]) == set()
	net.families_covered([]) == set()
}

test_families_covered_minus_excepts if {
	net.families_covered_minus_excepts([{"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}]) == set()
	net.families_covered_minus_excepts([{"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}, {"cidr": "10.0.0.0/8"}]) == {4}
	net.families_covered_minus_excepts([{"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}, {"cidr": "10.0.0.0/9"}]) == set()
	net.families_covered_minus_excepts([{"cidr": "0.0.0.0/0", "except": ["::/1", "bad"]}]) == {4}
	net.families_covered_minus_excepts([{"cidr": "0.0.0.0/1", "except": ["0.0.0.0/1"]}, {"cidr": "128.0.0.0/1"}]) == set()
	net.families_covered_minus_excepts([{"cidr": "::/1", "except": ["8000::/2"]}, {"cidr": "8000::/1", "except": ["::/2"]}]) == {6}
	net.families_covered_minus_excepts([{"cidr": "::/1", "except": ["::/2", "::/3", "4000::/2"]}, {"cidr": "8000::/1"}]) == set()
}

test_empty_means_all_peers if {
	net.rule_admits_all_peers({}, "from")
	net.rule_admits_all_peers({"from": []}, "from")
	net.rule_admits_all_peers({"to": null}, "to")
	not net.rule_admits_all_peers({"from": [{}]}, "from")
	net.empty_peer({})
	net.empty_peer({"podSelector": null})
	not net.empty_peer({"podSelector": {}})
}

test_selects_everything if {
	net.selects_everything({})
	net.selects_everything({"matchLabels": {}})
	net.selects_everything({"matchLabels": {}, "matchExpressions": []})
	not net.selects_everything({"matchLabels": {"a": "b"}})
	not net.selects_everything({"matchExpressions": [{"key": "a", "operator": "Exists"}]})
	not net.selects_everything(null)
	not net.selects_everything({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})
}

test_any_namespace_peer if {
	net.any_namespace_peer({"namespaceSelector": {}})
	net.any_namespace_peer({"namespaceSelector": {"matchLabels": {}}, "podSelector": {}})
	not net.any_namespace_peer({"namespaceSelector": {}, "podSelector": {"matchLabels": {"a": "b"}}})
	not net.any_namespace_peer({"podSelector": {}})
}

test_ports_empty_means_all if {
	net.rule_all_ports({})
	net.rule_all_ports({"ports": []})
	not net.rule_all_ports({"ports": [{"port": 80}]})
	net.port_entry_all_ports({"protocol": "UDP"})
	not net.port_entry_all_ports({"port": 53})
}

wl := {"kind": "Deployment", "metadata": {"name": "w", "namespace": "n"}, "spec": {"template": {
	"metadata": {"labels": {"app": "a"}},
	"spec": {"containers": [{"name": "c", "ports": [{"name": "epmd", "containerPort": 4369}, {"name": "dns", "containerPort": 53, "protocol": "UDP"}]}]},
}}}

test_rule_opens_ranges_and_names if {
	net.rule_opens({}, wl, {4369})
	net.rule_opens({"ports": [{"port": 4000, "endPort": 5000}]}, wl, {4369})
	net.rule_opens({"ports": [{"port": "epmd"}]}, wl, {4369})
	net.rule_opens({"ports": [{"protocol": "TCP"}]}, wl, {4369})
	not net.rule_opens({"ports": [{"protocol": "UDP"}]}, wl, {4369})
	not net.rule_opens({"ports": [{"port": 4000, "endPort": 4368}]}, wl, {4369})
	not net.rule_opens({"ports": [{"port": "dns"}]}, wl, {53})
}

test_sloppy_cidr_as_the_api_server_reads_it if {
	net.sloppy_cidr("00.0.0.0/0") == "0.0.0.0/0"
	net.sloppy_cidr("010.001.0.0/016") == "10.1.0.0/16"
	net.sloppy_cidr("::ffff:0:0/96") == "0.0.0.0/0"
	net.sloppy_cidr("0:0:0:0:0:FFFF:8000:0/97") == "128.0.0.0/1"
	net.sloppy_cidr("::ffff:010.1.0.0/112") == "10.1.0.0/16"
	net.sloppy_cidr("::ffff:0:0/95") == "::ffff:0:0/95"
	net.whole_space("000.0.0.0/0")
	net.whole_space("::ffff:1.2.3.4/96")
	net.cidr_network("::ffff:0:0/96").family == 4
	not net.cidr_prefix("1.2.3.4/033")
	not net.cidr_prefix("256.0.0.0/8")
	not net.cidr_prefix("::ffff:0:0/129")
	net.open_ip_block({"cidr": "::ffff:0:0/96"})
	not net.open_ip_block({"cidr": "::ffff:0:0/96", "except": ["10.0.0.0/8"]})
	net.families_covered(["::ffff:0:0/97", "128.0.0.0/1"]) == {4}
}

test_any_namespace_peer_by_expressions if {
	net.any_namespace_peer({"namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "Exists"}]}})
	net.any_namespace_peer({"namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["a"]}]}})
	net.any_namespace_peer({"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}})
	net.any_namespace_peer({"namespaceSelector": {}, "podSelector": {"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}})
	not net.any_namespace_peer({"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "Exists"}]}})
	not net.any_namespace_peer({"namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "DoesNotExist"}]}})
	not net.any_namespace_peer({"namespaceSelector": {}, "podSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}})
	not net.any_namespace_peer({"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "NotIn"}]}})
}
