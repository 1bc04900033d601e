package erlmcp.controls.net_erlang_dist_lockdown_test

import data.erlmcp.controls.net_erlang_dist_lockdown as control

labels := {"app": "erlmcp"}

node(env, args, ports) := {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "erlmcp", "namespace": "erlmcp"}, "spec": {"template": {
	"metadata": {"labels": labels},
	"spec": {"containers": [{"name": "erlmcp", "env": env, "args": args, "ports": ports}]},
}}}

sts := node([{"name": "RELEASE_COOKIE", "valueFrom": {}}], [], [{"name": "epmd", "containerPort": 4369}, {"name": "dist", "containerPort": 9100}])

headless := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "hl", "namespace": "erlmcp"}, "spec": {"clusterIP": "None", "selector": labels, "ports": [{"port": 4369}]}}

netpol(ingress) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": "erlmcp"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": ingress}}

self_peer := {"podSelector": {"matchLabels": labels}}

ids(resources) := {v.details.messageId | some v in control.violation with input as {"resources": resources, "parameters": {"distPortMin": 9104, "distPortMax": 9106}}}

run(resources) := {v.details.messageId | some v in control.violation with input as {"resources": resources}}

test_locked_down_passes if {
	run([sts, headless, netpol([{"from": [self_peer], "ports": [{"port": "epmd"}, {"port": 9100, "endPort": 9105}]}])]) == set()
}

test_non_erlang_ignored if {
	web := node([], [], [{"name": "http", "containerPort": 8080}])
	run([web, netpol([{}])]) == set()
}

test_rule_without_from if {
	run([sts, headless, netpol([{"ports": [{"port": 4369}]}])]) == {"distIngressFromAnywhere"}
}

test_empty_peer if {
	run([sts, headless, netpol([{"from": [{}]}])]) == {"distIngressFromAnywhere"}
}

test_namespace_selector_without_ports if {
	run([sts, headless, netpol([{"from": [{"namespaceSelector": {}, "podSelector": {}}]}])]) == {"distIngressFromNamespaceSelector"}
}

test_ip_block_named_port if {
	run([sts, headless, netpol([{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": [{"port": "dist"}]}])]) == {"distIngressFromIpBlock"}
}

test_other_pods if {
	other := object.union(node([], [], []), {"kind": "Deployment", "metadata": {"name": "other", "namespace": "erlmcp"}})
	run([sts, other, headless, netpol([{"from": [{"podSelector": {}}], "ports": [{"port": 9000, "endPort": 9101}]}])]) == {"distIngressFromOtherPods"}
}

test_other_ports_pass if {
	run([sts, headless, netpol([{"ports": [{"port": 8080}, {"port": 4369, "protocol": "UDP"}, {"port": "http"}]}])]) == set()
}

test_port_without_number_opens if {
	run([sts, headless, netpol([{"ports": [{"protocol": "TCP"}]}])]) == {"distIngressFromAnywhere"}
}

test_egress_only_policy_ignored if {
	np := object.union(netpol([{}]), {"spec": {"policyTypes": ["Egress"]}})
	run([sts, headless, np]) == set()
}

test_flags_override_range if {
	moved := node([{"name": "ERL_AFLAGS", "value": "-name a@b -kernel inet_dist_listen_min 9200 inet_dist_listen_max 9201"}], [], [])
	run([moved, headless, netpol([{"ports": [{"port": 9100}]}])]) == set()
	run([moved, headless, netpol([{"ports": [{"port": 9201}]}])]) == {"distIngressFromAnywhere"}
}

test_args_override_range if {
	moved := node([{"name": "RELEASE_COOKIE"}], ["-kernel", "inet_dist_listen_min", "9300", "-kernel", "inet_dist_listen_max", "9300"], [])
	run([moved, headless, netpol([{"ports": [{"port": 9300}]}])]) == {"distIngressFromAnywhere"}
}

test_params_used if {
	ids([sts, headless, netpol([{"ports": [{"port": 9106}]}])]) == {"distIngressFromAnywhere"}
	run([sts, headless, netpol([{"ports": [{"port": 9106}]}])]) == set()
}

test_cluster_ip_service if {
	svc := {"kind": "Service", "metadata": {"name": "svc", "namespace": "erlmcp"}, "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": "epmd"}, {"port": 9101}]}}
	run([sts, headless, svc]) == {"distExposedByService"}
}

test_ingress_backend if {
	ing := {"kind": "Ingress", "metadata": {"name": "ing", "namespace": "erlmcp"}, "spec": {"rules": [{"http": {"paths": [{"backend": {"service": {"name": "hl", "port": {"number": 4369}}}}]}}]}}
	run([sts, headless, ing]) == {"distExposedByIngress"}
}

test_host_port if {
	hp := node([{"name": "RELEASE_COOKIE"}], [], [{"containerPort": 4369, "hostPort": 4369}])
	run([hp, headless]) == {"distHostPort"}
}

test_no_headless_service if {
	run([sts]) == {"noHeadlessService"}
}

paths(resources) := {[v.details.messageId, v.details.resource.kind, v.details.path] | some v in control.violation with input as {"resources": resources}}

test_paths_point_at_the_peer_the_service_port_the_backend_and_the_host_port if {
	svc := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "dist", "namespace": "erlmcp"}, "spec": {"selector": labels, "ports": [{"name": "http", "port": 80}, {"name": "epmd", "port": 4369}]}}
	ing := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "namespace": "erlmcp"}, "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": {"service": {"name": "dist", "port": {"name": "epmd"}}}}]}}]}}
	host := node([], [], [{"name": "epmd", "containerPort": 4369, "hostPort": 4369}])
	paths([host, headless, svc, ing, netpol([{"from": [self_peer, {"ipBlock": {"cidr": "10.0.0.0/8"}}]}, {"ports": [{"port": 4369}]}])]) == {
		["distIngressFromIpBlock", "NetworkPolicy", ["spec", "ingress", 0, "from", 1]],
		["distIngressFromAnywhere", "NetworkPolicy", ["spec", "ingress", 1]],
		["distExposedByService", "Service", ["spec", "ports", 1]],
		["distExposedByIngress", "Ingress", ["spec", "rules", 0, "http", "paths", 0, "backend", "service", "port"]],
		["distHostPort", "StatefulSet", ["spec", "template", "spec", "containers", 0, "ports", 0, "hostPort"]],
	}
}

# OTP 25 takes the first -kernel setting (the args' min 9100, then ERL_ZFLAGS' max 9201), or the last where a
# sys.config sets the parameter too (9200-9201): both ranges are distribution ports.
test_zflags_and_args_both_pin if {
	moved := node([{"name": "ERL_ZFLAGS", "value": "-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9201"}], ["-kernel", "inet_dist_listen_min", "9100"], [{"containerPort": 4369}])
	run([moved, headless, netpol([{"ports": [{"port": 9201}]}])]) == {"distIngressFromAnywhere"}
	run([moved, headless, netpol([{"ports": [{"port": 9100}]}])]) == {"distIngressFromAnywhere"}
	run([moved, headless, netpol([{"ports": [{"port": 9202}]}])]) == set()
}

test_later_env_entry_wins if {
	moved := node([{"name": "ERL_FLAGS", "value": "-kernel inet_dist_listen_min 9200"}, {"name": "ERL_FLAGS", "value": "-kernel inet_dist_listen_min 9300"}], [], [{"containerPort": 4369}])
	run([moved, headless, netpol([{"ports": [{"port": 9200}]}])]) == set()
	run([moved, headless, netpol([{"ports": [{"port": 9300}]}])]) == {"distIngressFromAnywhere"}
}

test_mounted_vm_args_pin_the_range if {
	cm := {"kind": "ConfigMap", "metadata": {"name": "args", "namespace": "erlmcp"}, "data": {"vm.args": "-kernel inet_dist_listen_min 9400"}}
	base := node([], [], [{"containerPort": 4369}])
	c := object.union(base.spec.template.spec.containers[0], {"volumeMounts": [{"name": "v", "mountPath": "/rel/vm.args", "subPath": "vm.args"}]})
	w := object.union(base, {"spec": {"template": {"spec": {"containers": [c], "volumes": [{"name": "v", "configMap": {"name": "args"}}]}}}})
	run([w, cm, headless, netpol([{"ports": [{"port": 9400}]}])]) == {"distIngressFromAnywhere"}
	run([w, cm, headless, netpol([{"ports": [{"port": 9100}]}])]) == set()
}

test_max_below_min_listens_on_no_distribution_port if {
	odd := node([{"name": "ERL_FLAGS", "value": "-kernel inet_dist_listen_min 9105 inet_dist_listen_max 9100"}], [], [{"containerPort": 4369}])
	run([odd, headless, netpol([{"ports": [{"port": 9100, "endPort": 9105}]}])]) == set()
	run([odd, headless, netpol([{"ports": [{"port": 4369}]}])]) == {"distIngressFromAnywhere"}
}

test_a_sidecar_that_pins_a_range_counts if {
	base := node([], [], [{"containerPort": 4369}])
	side := {"name": "side", "args": ["-kernel", "inet_dist_listen_min", "70000"]}
	pinned := {"name": "pinned", "command": ["erl", "-kernel", "inet_dist_listen_min", "9500"]}
	w := object.union(base, {"spec": {"template": {"spec": {"containers": array.concat(base.spec.template.spec.containers, [side, pinned])}}}})
	run([w, headless, netpol([{"ports": [{"port": 9500}]}])]) == {"distIngressFromAnywhere"}
	run([w, headless, netpol([{"ports": [{"port": 9100}]}])]) == {"distIngressFromAnywhere"}
	run([w, headless, netpol([{"ports": [{"port": 9106}]}])]) == set()
}

# A rule's problem is found once per workload and kind of peer, at its first peer of that kind, however
# many peers of that kind it lists and however many copies of the workload the set holds.
test_one_violation_per_rule_and_kind if {
	blocks := [{"ipBlock": {"cidr": sprintf("%d.0.0.0/8", [i])}} | some i in numbers.range(0, 255)]
	other := object.union(node([], [], []), {
		"kind": "Deployment",
		"metadata": {"name": "other", "namespace": "erlmcp"},
		"spec": {"template": {"metadata": {"labels": {"app": "other"}}}},
	})
	copy := object.union(sts, {"metadata": {"annotations": {"copy": "2"}}})
	rule := {"from": array.concat(array.concat([self_peer, {"podSelector": {}}], blocks), [{"podSelector": {}}])}
	found := {[v.details.messageId, v.details.path] |
		some v in control.violation with input as {"resources": [sts, copy, other, headless, netpol([rule])]}
		v.details.resource.kind == "NetworkPolicy"
	}
	found == {
		["distIngressFromOtherPods", ["spec", "ingress", 0, "from", 1]],
		["distIngressFromIpBlock", ["spec", "ingress", 0, "from", 2]],
	}
}
