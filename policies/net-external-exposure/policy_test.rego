package erlmcp.controls.net_external_exposure_test

import data.erlmcp.controls.net_external_exposure as control

svc(spec) := {"review": {"object": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "erlmcp", "namespace": "erlmcp"}, "spec": spec}}}

ids(spec) := {v.details.messageId | some v in control.violation with input as svc(spec)}

test_cluster_ip_passes if {
	ids({"type": "ClusterIP", "ports": [{"port": 80}]}) == set()
}

test_default_type_passes if {
	ids({"ports": [{"port": 80}], "externalIPs": []}) == set()
}

test_node_port_fails if {
	ids({"type": "NodePort"}) == {"nodePortService"}
}

test_load_balancer_fails if {
	ids({"type": "LoadBalancer"}) == {"loadBalancerService"}
}

test_external_ips_fail if {
	ids({"type": "ClusterIP", "externalIPs": ["198.51.100.7", "198.51.100.8"]}) == {"externalIps"}
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Ingress", "spec": {"type": "LoadBalancer"}}}}
}

test_paths_point_at_the_type_and_the_external_ips if {
	vs := control.violation with input as svc({"type": "LoadBalancer", "externalIPs": ["198.51.100.7"]})
	{[v.details.messageId, v.details.path] | some v in vs} == {["loadBalancerService", ["spec", "type"]], ["externalIps", ["spec", "externalIPs"]]}
}
