package erlmcp.controls.net_erlang_dist_lockdown

import data.lib.erlang
import data.lib.k8s
import data.lib.net
import data.lib.violation

control_id := "net-erlang-dist-lockdown"

erlang_nodes := [w | some w in net.workloads; k8s.is_erlang_node(w)]

services := [s | some s in input.resources; s.kind == "Service"]

ingresses := [i | some i in input.resources; i.kind == "Ingress"]

param(key, fallback) := object.get(input, ["parameters", key], fallback)

index := erlang.set_index(input.resources)

# The range distPortMin-distPortMax (either order) a node listens on when its flags and sys.config pin none.
param_range := [min([a, b]), max([a, b])] if {
	a := param("distPortMin", 9100)
	b := param("distPortMax", 9105)
}

# The listen range of each node container: the one its flags (lib.erlang ordered_flag_text: ERL_AFLAGS,
# ELIXIR_ERL_OPTIONS, a mounted vm.args and its -args_file, command and args, ERL_FLAGS, ERL_ZFLAGS, each
# cut at -extra) pin over its mounted sys.config, else param_range (lib.erlang dist_ranges).
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

same_workload(a, b) if k8s.ref(a) == k8s.ref(b)

peer_problem(peer, w) := "distIngressFromIpBlock" if {
	net.present(peer, "ipBlock")
} else := "distIngressFromNamespaceSelector" if {
	net.present(peer, "namespaceSelector")
} else := "distIngressFromAnywhere" if {
	net.empty_peer(peer)
} else := "distIngressFromOtherPods" if {
	some x in net.workloads
	k8s.namespace(x) == k8s.namespace(w)
	not same_workload(x, w)
	k8s.may_select_pods(peer.podSelector, x)
}

# [message ID, path in the rule] of each problem of a rule: its missing or empty `from`, else each peer.
rule_problems(rule, w) := {["distIngressFromAnywhere", ["from"]]} if {
	net.rule_admits_all_peers(rule, "from")
} else := {[peer_problem(peer, w), ["from", j]] | some j, peer in net.rule_peers(rule, "from")}

violation contains v if {
	some n, w in erlang_nodes
	ports := node_ports[n]
	some np in net.network_policies
	net.policy_types(np).Ingress
	net.may_select(np, w)
	some i, rule in net.array_or_empty(object.get(np, ["spec", "ingress"], []))
	net.rule_opens(rule, w, ports)
	some [message_id, path] in rule_problems(rule, w)
	v := violation.at(control_id, message_id, np, array.concat(["spec", "ingress", i], path), {"workload": k8s.name(w), "policy": k8s.name(np), "rule": i})
}

service_selects(svc, w) if {
	k8s.namespace(svc) == k8s.namespace(w)
	k8s.map_selector_matches(object.get(svc, ["spec", "selector"], {}), k8s.pod_labels(w))
}

headless(svc) if svc.spec.clusterIP == "None"

# The Service port sp targets one of `ports` on workload w.
targets(sp, w, ports) if {
	t := object.get(sp, "targetPort", sp.port)
	is_number(t)
	ports[t]
}

targets(sp, w, ports) if {
	t := object.get(sp, "targetPort", sp.port)
	is_string(t)
	some cp in net.container_ports(w)
	cp.name == t
	ports[cp.containerPort]
}

violation contains v if {
	some i, w in erlang_nodes
	some svc in services
	not headless(svc)
	service_selects(svc, w)
	some k, sp in object.get(svc, ["spec", "ports"], [])
	targets(sp, w, node_ports[i])
	v := violation.at(control_id, "distExposedByService", svc, ["spec", "ports", k], {"workload": k8s.name(w), "service": k8s.name(svc), "port": sp.port})
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

violation contains v if {
	some i, w in erlang_nodes
	some ing in ingresses
	k8s.namespace(ing) == k8s.namespace(w)
	some [path, b] in backends(ing)
	some svc in services
	k8s.name(svc) == b.name
	service_selects(svc, w)
	some sp in object.get(svc, ["spec", "ports"], [])
	backend_port(b, sp)
	targets(sp, w, node_ports[i])
	v := violation.at(control_id, "distExposedByIngress", ing, array.concat(path, ["port"]), {"workload": k8s.name(w), "ingress": k8s.name(ing), "service": b.name})
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
violation contains v if {
	some w in erlang_nodes
	not has_headless_service(w)
	v := violation.make(control_id, "noHeadlessService", w, {"workload": k8s.name(w)})
}

has_headless_service(w) if {
	some svc in services
	headless(svc)
	service_selects(svc, w)
}
