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
