# NetworkPolicy semantics shared by the net-* set-scope controls (mirrors src/k8s/network-model.ts).
package lib.net

import data.lib.k8s

network_policies := [np | some np in input.resources; np.kind == "NetworkPolicy"]

workloads := [w | some w in input.resources; k8s.is_workload(w)]

# Effective policyTypes: as written, else Ingress plus Egress when egress rules exist.
policy_types(np) := {t | some t in np.spec.policyTypes} if {
	is_array(np.spec.policyTypes)
} else := {"Ingress", "Egress"} if {
	count(object.get(np, ["spec", "egress"], [])) > 0
} else := {"Ingress"}

selects(np, w) if {
	k8s.namespace(np) == k8s.namespace(w)
	k8s.selector_matches(object.get(np, ["spec", "podSelector"], {}), k8s.pod_labels(w))
}

container_ports(w) := [p |
	some c in k8s.all_containers(w)
	some p in object.get(c, "ports", [])
	is_number(p.containerPort)
]

# Container port numbers of workload w named `name` for `protocol`.
named_port(w, name, protocol) := {p.containerPort |
	some p in container_ports(w)
	p.name == name
	object.get(p, "protocol", "TCP") == protocol
}

# Whether an ingress/egress rule of a policy selecting w opens a TCP port of `ports` on w.
rule_opens(rule, w, ports) if {
	count(object.get(rule, "ports", [])) == 0
}

rule_opens(rule, w, ports) if {
	some p in rule.ports
	object.get(p, "protocol", "TCP") == "TCP"
	port_entry_opens(p, w, ports)
}

port_entry_opens(p, _, _) if not p.port

port_entry_opens(p, _, ports) if {
	is_number(p.port)
	hi := object.get(p, "endPort", p.port)
	some n in ports
	n >= p.port
	n <= hi
}

port_entry_opens(p, w, ports) if {
	is_string(p.port)
	some n in named_port(w, p.port, "TCP")
	ports[n]
}
