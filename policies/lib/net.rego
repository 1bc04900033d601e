# NetworkPolicy semantics shared by the net-* set-scope controls (mirrors src/k8s/network-model.ts).
package lib.net

import data.lib.k8s

network_policies := [np | some np in input.resources; np.kind == "NetworkPolicy"]

workloads := [w | some w in input.resources; k8s.is_workload(w)]

# Effective policyTypes: as written, else (missing, null or [], which the API server defaults)
# Ingress plus Egress when egress rules exist.
policy_types(np) := {t | some t in np.spec.policyTypes} if {
	count(array_or_empty(object.get(np, ["spec", "policyTypes"], []))) > 0
} else := {"Ingress", "Egress"} if {
	count(array_or_empty(object.get(np, ["spec", "egress"], []))) > 0
} else := {"Ingress"}

# The policy isolates workload w: its podSelector selects every pod w creates, whatever values the
# controller gives the labels it adds (pod-template-hash, statefulset.kubernetes.io/pod-name...).
isolates(np, w) if {
	k8s.namespace(np) == k8s.namespace(w)
	k8s.selects_all_pods(pod_selector(np), w)
}

# The policy may select some pod of workload w: its rules then allow traffic to or from that pod.
may_select(np, w) if {
	k8s.namespace(np) == k8s.namespace(w)
	k8s.may_select_pods(pod_selector(np), w)
}

# The policy's podSelector; a missing one is the empty selector (every pod of the namespace).
pod_selector(np) := np.spec.podSelector if present(np.spec, "podSelector")

else := {}

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

# Whether an ingress/egress rule of a policy selecting w opens a TCP port of `ports` on w:
# no ports at all, an entry without port, a range (endPort) holding one, or a name resolving to one on w.
rule_opens(rule, _, _) if rule_all_ports(rule)

rule_opens(rule, w, ports) if {
	some p in array_or_empty(object.get(rule, "ports", []))
	protocol(p) == "TCP"
	port_entry_opens(p, w, ports)
}

# The protocol of a ports entry (TCP when unset).
protocol(p) := object.get(p, "protocol", "TCP") if present(p, "protocol")

else := "TCP"

port_entry_opens(p, _, _) if port_entry_all_ports(p)

port_entry_opens(p, _, ports) if {
	is_number(p.port)
	hi := end_port(p)
	some n in ports
	n >= p.port
	n <= hi
}

# The last port of a numeric entry: its endPort when set, else the port itself.
end_port(p) := p.endPort if is_number(p.endPort)

else := p.port

port_entry_opens(p, w, ports) if {
	is_string(p.port)
	some n in named_port(w, p.port, "TCP")
	ports[n]
}

# --- Empty means all (docs/network-model.md) ---

# A present, non-null field: JSON null is unset.
present(obj, key) if object.get(obj, key, null) != null

# The peers of a rule (`from` or `to`); a missing or null list is no list.
rule_peers(rule, field) := object.get(rule, field, []) if is_array(object.get(rule, field, []))

else := []

# A rule without peers (`from`/`to` missing, null or []) admits every source or destination.
rule_admits_all_peers(rule, field) if count(rule_peers(rule, field)) == 0

# An empty peer `{}` (no ipBlock, namespaceSelector or podSelector) is every source or destination.
empty_peer(peer) if {
	not present(peer, "ipBlock")
	not present(peer, "namespaceSelector")
	not present(peer, "podSelector")
}

# A label selector with no matchLabels entries and no matchExpressions (`{}`, `{matchLabels: {}}`) selects everything.
# An invalid selector selects nothing (lib/k8s selector_requirements is undefined for it).
selects_everything(selector) if count(k8s.selector_requirements(selector)) == 0

array_or_empty(x) := x if is_array(x)

else := []

# A peer selecting every pod of every namespace: a match-all namespaceSelector, no podSelector or a match-all one.
any_namespace_peer(peer) if {
	not present(peer, "ipBlock")
	selects_everything(peer.namespaceSelector)
	not present(peer, "podSelector")
}

any_namespace_peer(peer) if {
	not present(peer, "ipBlock")
	selects_everything(peer.namespaceSelector)
	selects_everything(peer.podSelector)
}

# A ports entry without `port` covers every port of its protocol.
port_entry_all_ports(p) if not present(p, "port")

# A rule without ports (missing, null or []) allows every port of every protocol.
rule_all_ports(rule) if count(array_or_empty(object.get(rule, "ports", []))) == 0

# --- CIDRs as networks ---

# The prefix length of a valid CIDR; the address is checked by net.cidr_contains (which parses it as a network).
cidr_prefix(cidr) := to_number(parts[1]) if {
	is_string(cidr)
	parts := split(cidr, "/")
	count(parts) == 2
	regex.match(`^[0-9]{1,3}$`, parts[1])
	net.cidr_contains(cidr, cidr)
}

# Any `/0` is the whole address space of its family, whatever the digits before it (1.2.3.4/0, 2001:db8::/0).
whole_space(cidr) if cidr_prefix(cidr) == 0

# An ipBlock that still covers its whole family: a `/0` without a valid `except` network inside it.
open_ip_block(block) if {
	whole_space(block.cidr)
	not has_hole(block)
}

has_hole(block) if {
	some hole in array_or_empty(object.get(block, "except", []))
	is_string(hole)
	net.cidr_contains(block.cidr, hole)
}
