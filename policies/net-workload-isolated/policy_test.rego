package erlmcp.controls.net_workload_isolated_test

import data.erlmcp.controls.net_workload_isolated as control

deploy := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "erlmcp"}, "spec": {"template": {"metadata": {"labels": {"app": "web"}}}}}

netpol(name, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "erlmcp"}, "spec": spec}

ids(vs) := {v.details.messageId | some v in vs}

test_both_directions_pass if {
	count(control.violation) == 0 with input as {"resources": [deploy, netpol("np", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"]})]}
}

test_split_policies_pass if {
	count(control.violation) == 0 with input as {"resources": [
		deploy,
		netpol("in", {"podSelector": {}}),
		netpol("out", {"podSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}, "egress": [{"to": [{"podSelector": {}}]}]}),
	]}
}

test_no_policy_fails if {
	ids(control.violation) == {"ingressNotIsolated", "egressNotIsolated"} with input as {"resources": [deploy]}
}

test_ingress_default_type_fails_egress if {
	ids(control.violation) == {"egressNotIsolated"} with input as {"resources": [deploy, netpol("np", {"podSelector": {}})]}
}

test_egress_only_fails_ingress if {
	ids(control.violation) == {"ingressNotIsolated"} with input as {"resources": [deploy, netpol("np", {"podSelector": {}, "policyTypes": ["Egress"]})]}
}

test_dangling_policy_fails if {
	ids(control.violation) == {"danglingPolicy"} with input as {"resources": [
		deploy,
		netpol("np", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
		netpol("typo", {"podSelector": {"matchLabels": {"app": "wbe"}}, "policyTypes": ["Ingress"]}),
	]}
}

test_paths_point_at_the_pod_selector_of_a_dangling_policy if {
	vs := control.violation with input as {"resources": [deploy, netpol("np", {"podSelector": {"matchLabels": {"app": "gone"}}, "policyTypes": ["Ingress", "Egress"]})]}
	{[v.details.messageId, v.details.path] | some v in vs} == {
		["ingressNotIsolated", []],
		["egressNotIsolated", []],
		["danglingPolicy", ["spec", "podSelector"]],
	}
}
