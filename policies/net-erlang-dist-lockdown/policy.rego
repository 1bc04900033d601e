package erlmcp.controls.net_erlang_dist_lockdown

import data.lib.erlang
import data.lib.k8s
import data.lib.net
import data.lib.violation

control_id := "net-erlang-dist-lockdown"

# The Erlang node workloads, each distinct object once: identical copies (as in a set gathered from many
# files) have the same findings, found once.
erlang_nodes := [w | some w in {w | some w in net.workloads; k8s.is_erlang_node(w)}]

services := [s | some s in input.resources; s.kind == "Service"]

ingresses := [i | some i in input.resources; i.kind == "Ingress"]

param(key, fallback) := object.get(input, ["parameters", key], fallback)

index := erlang.set_index(input.resources)

# The range distPortMin-distPortMax (either order) a node listens on when its flags and sys.config pin none.
param_range := [min([a, b]), max([a, b])] if {
	a := param("distPortMin", 9100)
	b := param("distPortMax", 9105)
}

# The listen ranges of each node container: every one its init flags (each reading of lib.erlang
# flag_readings: ERL_AFLAGS, ELIXIR_ERL_OPTIONS, a mounted vm.args and its -args_file, command and args as
# one argv, ERL_FLAGS, ERL_ZFLAGS, each cut at -extra) may pin over its mounted sys.config, else param_range
# (lib.erlang dist_ranges). A range the VM may listen on is one the NetworkPolicies must guard (fail-safe).
dist_ranges(w) := erlang.dist_ranges(index, w, param_range)

# EPMD plus the distribution listen range of each node container of workload w (the VM listens on none
# when the max is below the min; ports above 65535 do not exist).
dist_ports(w) := {4369} | {n |
	some [lo, hi] in dist_ranges(w)
	lo <= min([hi, 65535])
	some n in numbers.range(lo, min([hi, 65535]))
}

# The ports of each Erlang node, by its index in erlang_nodes (computed once).
node_ports := {i: dist_ports(w) | some i, w in erlang_nodes}

# --- Ingress rules, read once per evaluation (the wasm target memoizes no function) ---

namespaces := {k8s.namespace(r) | some r in input.resources}

# The workloads of each namespace.
workloads_in := {ns: [w | some w in net.workloads; k8s.namespace(w) == ns] | some ns in namespaces}

# The NetworkPolicies that isolate ingress, by namespace: [index in net.network_policies, policy].
ingress_policies := {ns: [[p, np] |
	some p, np in net.network_policies
	k8s.namespace(np) == ns
	net.policy_types(np).Ingress
] |
	some ns in namespaces
}

# What lib.net may_select reads of a workload (its namespace, its kind, for the keys its controller
# sets, and its pod labels), for each Erlang node by its index in erlang_nodes.
node_shape := {i: [k8s.namespace(w), object.get(w, "kind", ""), k8s.pod_labels(w)] | some i, w in erlang_nodes}

# The ingress policies [p, np] that may select the pods of each shape: one may_select per policy and
# shape, not per policy and node (nodes of one shape, e.g. copies of a workload, share them).
selected_by := {shape: [[p, np] |
	w := erlang_nodes[min({i | some i, s in node_shape; s == shape})]
	some [p, np] in object.get(ingress_policies, shape[0], [])
	net.may_select(np, w)
] |
	some shape in {s | some s in node_shape}
}

# The problem a peer is whatever workload the rule is checked for; "pods" for a podSelector alone.
peer_kind(peer) := "distIngressFromIpBlock" if {
	net.present(peer, "ipBlock")
} else := "distIngressFromNamespaceSelector" if {
	net.present(peer, "namespaceSelector")
} else := "distIngressFromAnywhere" if {
	net.empty_peer(peer)
} else := "pods"

# What each ingress rule of each policy lets in, keyed [policy index, rule index]: `fixed`, the
# [message ID, path in the rule] that hold for any workload (its missing or empty `from`, else the
# first peer of each kind), and `pods`, [index, refs of the workloads of the policy's namespace it may
# select] of each podSelector-only peer.
rule_facts := {[p, i]: {"fixed": fixed_problems(rule), "pods": pod_peers(rule, ns)} |
	some ns in namespaces
	some [p, np] in ingress_policies[ns]
	some i, rule in net.array_or_empty(object.get(np, ["spec", "ingress"], []))
}

fixed_problems(rule) := {["distIngressFromAnywhere", ["from"]]} if {
	net.rule_admits_all_peers(rule, "from")
} else := {[kind, ["from", min(js)]] |
	peers := net.rule_peers(rule, "from")
	some kind in {peer_kind(peer) | some peer in peers}
	kind != "pods"
	js := {j | some j, peer in peers; peer_kind(peer) == kind}
}

pod_peers(rule, ns) := [[j, refs] |
	some j, peer in net.rule_peers(rule, "from")
	peer_kind(peer) == "pods"
	refs := peer_selections[[ns, peer.podSelector]]
	count(refs) > 0
]

# [namespace, podSelector] of each podSelector-only peer of the ingress policies, and the refs of the
# workloads of the namespace each may select: once per distinct selector, not once per peer.
pod_peer_selectors contains [ns, peer.podSelector] if {
	some ns in namespaces
	some [_, np] in object.get(ingress_policies, ns, [])
	some rule in net.array_or_empty(object.get(np, ["spec", "ingress"], []))
	some peer in net.rule_peers(rule, "from")
	peer_kind(peer) == "pods"
}

peer_selections := {key: {k8s.ref(x) | some x in workloads_in[ns]; k8s.may_select_pods(sel, x)} |
	some key in pod_peer_selectors
	[ns, sel] := key
}

# The first podSelector-only peer of a rule that may select a workload other than the one with ref `ref`.
other_pods_problems(facts, ref) := {["distIngressFromOtherPods", ["from", min(js)]]} if {
	js := {j | some [j, refs] in facts.pods; some r in refs; r != ref}
	count(js) > 0
} else := set()

# [message ID, path in the rule] of each problem of a rule for workload w: its missing or empty `from`,
# else the first peer of each kind beyond w itself (a rule of 256 ipBlocks is one problem, not 256).
rule_problems(facts, w) := facts.fixed | other_pods_problems(facts, k8s.ref(w))

# [policy index, rule index, message ID, path in the rule, workload name] of each rule problem: copies
# of a workload (the same name) share their problems, which are rendered once below.
rule_findings contains [p, i, message_id, path, k8s.name(w)] if {
	some n, w in erlang_nodes
	ports := node_ports[n]
	some [p, np] in selected_by[node_shape[n]]
	some i, rule in net.array_or_empty(object.get(np, ["spec", "ingress"], []))
	net.rule_opens_on(rule, node_container_ports[n], ports)
	some [message_id, path] in rule_problems(rule_facts[[p, i]], w)
}

violation contains v if {
	some [p, i, message_id, path, workload] in rule_findings
	np := net.network_policies[p]
	v := violation.at(control_id, message_id, np, array.concat(["spec", "ingress", i], path), {"workload": workload, "policy": k8s.name(np), "rule": i})
}

service_selects(svc, w) if {
	k8s.namespace(svc) == k8s.namespace(w)
	k8s.map_selector_matches(object.get(svc, ["spec", "selector"], {}), k8s.pod_labels(w))
}

headless(svc) if svc.spec.clusterIP == "None"

# The container ports of each Erlang node, by its index in erlang_nodes (computed once: lib.k8s
# all_containers copies every container).
node_container_ports := {i: net.container_ports(w) | some i, w in erlang_nodes}

# The Service port sp targets one of the distribution ports of the Erlang node with index i.
targets(sp, i) if {
	t := object.get(sp, "targetPort", sp.port)
	is_number(t)
	node_ports[i][t]
}

targets(sp, i) if {
	t := object.get(sp, "targetPort", sp.port)
	is_string(t)
	some cp in node_container_ports[i]
	cp.name == t
	node_ports[i][cp.containerPort]
}

# The Services of each namespace, and those that select each Erlang node's pods (headless or not), by
# its index in erlang_nodes (computed once, not once per Service, Ingress backend and node), as indexes
# in services.
services_in := {ns: [s | some s, svc in services; k8s.namespace(svc) == ns] | some ns in namespaces}

selecting := {i: {s | some s in object.get(services_in, k8s.namespace(w), []); service_selects(services[s], w)} | some i, w in erlang_nodes}

# The Services of each [namespace, name], which Ingress backends name.
services_named := {[ns, name]: [s | some s in services_in[ns]; k8s.name(services[s]) == name] |
	some svc in services
	ns := k8s.namespace(svc)
	name := k8s.name(svc)
}

# [Service index, port index, workload name] of each exposed port: copies of a workload share them,
# rendered once below.
exposed_ports contains [s, k, k8s.name(w)] if {
	some i, w in erlang_nodes
	some s in selecting[i]
	not headless(services[s])
	some k, sp in object.get(services[s], ["spec", "ports"], [])
	targets(sp, i)
}

violation contains v if {
	some [s, k, workload] in exposed_ports
	svc := services[s]
	v := violation.at(control_id, "distExposedByService", svc, ["spec", "ports", k], {"workload": workload, "service": k8s.name(svc), "port": svc.spec.ports[k].port})
}

# [path, service backend] of each backend of an Ingress.
backends(ing) := array.concat(
	[[["spec", "defaultBackend", "service"], b] | b := ing.spec.defaultBackend.service],
	[[["spec", "rules", i, "http", "paths", j, "backend", "service"], b] |
		some i, r in object.get(ing, ["spec", "rules"], [])
		some j, p in object.get(r, ["http", "paths"], [])
		b := p.backend.service
	],
)

backend_port(b, sp) if b.port.number == sp.port

backend_port(b, sp) if b.port.name == sp.name

# [Ingress, path, service backend] of each backend of the Ingresses of each namespace.
routes_in := {ns: [[ing, path, b] |
	some ing in ingresses
	k8s.namespace(ing) == ns
	some [path, b] in backends(ing)
] |
	some ns in namespaces
}

# [namespace, route index, workload name] of each Ingress route to distribution: copies of a workload
# share them, rendered once below.
exposed_routes contains [ns, r, k8s.name(w)] if {
	some i, w in erlang_nodes
	ns := k8s.namespace(w)
	some r, [_, _, b] in object.get(routes_in, ns, [])
	some s in services_named[[ns, b.name]]
	selecting[i][s]
	some sp in object.get(services[s], ["spec", "ports"], [])
	backend_port(b, sp)
	targets(sp, i)
}

violation contains v if {
	some [ns, r, workload] in exposed_routes
	[ing, path, b] := routes_in[ns][r]
	v := violation.at(control_id, "distExposedByIngress", ing, array.concat(path, ["port"]), {"workload": workload, "ingress": k8s.name(ing), "service": b.name})
}

violation contains v if {
	some i, w in erlang_nodes
	some c in k8s.all_containers(w)
	some k, p in object.get(c, "ports", [])
	object.get(p, "hostPort", 0) > 0
	node_ports[i][p.containerPort]
	v := violation.at(control_id, "distHostPort", w, array.concat(c.__path, ["ports", k, "hostPort"]), {"workload": k8s.name(w), "container": c.name, "port": p.containerPort})
}

# No field of the workload is to blame (a headless Service is missing): the finding is about the object.
# Copies of a workload (the same reference) are rendered once.
without_headless_service contains k8s.ref(w) if {
	some i, w in erlang_nodes
	not has_headless_service(i)
}

violation contains v if {
	some ref in without_headless_service
	v := violation.make_with_ref(control_id, "noHeadlessService", ref, {"workload": ref.name})
}

has_headless_service(i) if {
	some s in selecting[i]
	headless(services[s])
}
