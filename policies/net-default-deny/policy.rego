package erlmcp.controls.net_default_deny

import data.lib.k8s
import data.lib.net
import data.lib.violation

control_id := "net-default-deny"

workload_namespaces contains k8s.namespace(w) if {
	some w in net.workloads
}

denied_namespaces contains k8s.namespace(np) if {
	some np in net.network_policies
	default_deny(np)
}

# Selects every pod of the namespace ({} or {matchLabels: {}}), covers both directions, allows nothing.
default_deny(np) if {
	net.selects_everything(net.pod_selector(np))
	{"Ingress", "Egress"} - net.policy_types(np) == set()
	count(net.array_or_empty(object.get(np, ["spec", "ingress"], []))) == 0
	count(net.array_or_empty(object.get(np, ["spec", "egress"], []))) == 0
}

violation contains v if {
	some ns in workload_namespaces
	not denied_namespaces[ns]
	v := violation.make_with_ref(control_id, "namespaceWithoutDefaultDeny", namespace_ref(ns), {"namespace": ns})
}

# The violation is about the Namespace, which need not be in the input.
namespace_ref(ns) := {"apiVersion": "v1", "kind": "Namespace", "namespace": "", "name": ns}
