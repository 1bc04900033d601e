package erlmcp.controls.net_default_deny_test

import data.erlmcp.controls.net_default_deny as control

sts := {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "erlmcp", "namespace": "erlmcp"}, "spec": {"template": {"metadata": {"labels": {"app": "erlmcp"}}}}}

netpol(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": "erlmcp"}, "spec": spec}

deny_all := netpol({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})

ids(vs) := {v.details.messageId | some v in vs}

test_default_deny_passes if {
	count(control.violation) == 0 with input as {"resources": [sts, deny_all]}
}

test_no_policy_fails if {
	ids(control.violation) == {"namespaceWithoutDefaultDeny"} with input as {"resources": [sts]}
}

test_ingress_only_fails if {
	ids(control.violation) == {"namespaceWithoutDefaultDeny"} with input as {"resources": [sts, netpol({"podSelector": {}, "policyTypes": ["Ingress"]})]}
}

test_selector_fails if {
	ids(control.violation) == {"namespaceWithoutDefaultDeny"} with input as {"resources": [sts, netpol({"podSelector": {"matchLabels": {"app": "erlmcp"}}, "policyTypes": ["Ingress", "Egress"]})]}
}

test_rules_fail if {
	ids(control.violation) == {"namespaceWithoutDefaultDeny"} with input as {"resources": [sts, netpol({"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "egress": [{}]})]}
}

test_other_namespace_fails if {
	other := object.union(deny_all, {"metadata": {"name": "np", "namespace": "other"}})
	ids(control.violation) == {"namespaceWithoutDefaultDeny"} with input as {"resources": [sts, other]}
}

test_no_workloads_passes if {
	count(control.violation) == 0 with input as {"resources": [deny_all]}
}

test_violation_is_about_the_namespace_as_a_whole if {
	some v in control.violation with input as {"resources": [sts]}
	v.details.resource.kind == "Namespace"
	v.details.path == []
}
