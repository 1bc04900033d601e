package erlmcp.controls.tls_erlang_dist

import data.lib.erlang
import data.lib.k8s
import data.lib.violation

control_id := "tls-erlang-dist"

dist_port_min := object.get(input, ["parameters", "distPortMin"], 9100)

dist_port_max := object.get(input, ["parameters", "distPortMax"], 9105)

mesh_root_namespace := "istio-system"

index := erlang.set_index(input.resources)

# What each Erlang container of each Erlang node needs, read once per evaluation (lib.erlang dist_flags):
# the VM's init flags in the order it reads them (ERL_AFLAGS, ELIXIR_ERL_OPTIONS, a mounted vm.args and the
# -args_file it names, the command line, ERL_FLAGS, ERL_ZFLAGS, each part cut at -extra), in every reading
# of the command line (lib.erlang command_line_readings). TLS only when -proto_dist occurs exactly once and
# names inet_tls/inet6_tls alone. No sys.config setting turns TLS distribution on: -proto_dist and
# -ssl_dist_optfile are flags only. By the workload's position in input.resources, then the container's
# position among erlang_containers.
node_dist := {i: [object.union(erlang.dist_flags(index, w, c), {"c": c}) | some c in erlang_containers(w)] |
	some i, w in input.resources
	k8s.is_erlang_node(w)
}

# EPMD and the ports the node listens on: each node container's range its flags, over its mounted
# sys.config, pin (lib.erlang dist_ranges), else distPortMin-distPortMax (either order).
param_range := [min([dist_port_min, dist_port_max]), max([dist_port_min, dist_port_max])]

dist_ranges(w) := erlang.dist_ranges(index, w, param_range)

erlang_containers(w) := [c |
	some c in k8s.all_containers(w)
	k8s.container_is_erlang(c)
]

# The nodes whose every Erlang container runs TLS distribution with an options file.
tls_ok contains i if {
	some i, containers in node_dist
	every f in containers {
		f.tls
		f.optfile
	}
}

peer_authentications contains pa if {
	some pa in input.resources
	pa.kind == "PeerAuthentication"
	startswith(pa.apiVersion, "security.istio.io/")
}

# Istio's WorkloadSelector has matchLabels only; a workload-level policy counts when it selects
# every pod of the workload (controller-set keys such as pod-template-hash have unknown values).
selector_labels(pa) := object.get(pa, ["spec", "selector", "matchLabels"], {})

workload_level(w) := [pa |
	some pa in peer_authentications
	k8s.namespace(pa) == k8s.namespace(w)
	count(selector_labels(pa)) > 0
	k8s.selects_all_pods({"matchLabels": selector_labels(pa)}, w)
]

namespace_level(w) := [pa |
	some pa in peer_authentications
	k8s.namespace(pa) == k8s.namespace(w)
	count(selector_labels(pa)) == 0
]

mesh_level := [pa |
	some pa in peer_authentications
	k8s.namespace(pa) == mesh_root_namespace
	count(selector_labels(pa)) == 0
]

set_modes(pas) := {mode |
	some pa in pas
	mode := object.get(pa, ["spec", "mtls", "mode"], "UNSET")
	mode != "UNSET"
}

# Istio's precedence: a workload-level mode overrides the namespace's, which overrides the mesh's.
effective_modes(w) := modes if {
	modes := set_modes(workload_level(w))
	count(modes) > 0
} else := modes if {
	modes := set_modes(namespace_level(w))
	count(modes) > 0
} else := set_modes(mesh_level)

# The nodes without TLS distribution whose effective mode is STRICT, each with the portLevelMtls entries
# that weaken it: [PeerAuthentication, port].
strict_weakenings := {i: weakenings(w) |
	some i, _ in node_dist
	not tls_ok[i]
	w := input.resources[i]
	effective_modes(w) == {"STRICT"}
}

weakenings(w) := {[k8s.name(pa), format_port(key)] |
	ranges := dist_ranges(w)
	some pa in array.concat(array.concat(workload_level(w), namespace_level(w)), mesh_level)
	some key, setting in object.get(pa, ["spec", "portLevelMtls"], {})
	is_dist_port(key, ranges)
	object.get(setting, "mode", "UNSET") != "STRICT"
}

is_dist_port(key, ranges) if {
	regex.match(`^[0-9]+$`, format_port(key))
	dist_port(to_number(format_port(key)), ranges)
}

dist_port(4369, _)

dist_port(port, ranges) if {
	some [lo, hi] in ranges
	lo <= port
	port <= hi
}

format_port(key) := key if is_string(key)

format_port(key) := format_int(key, 10) if is_number(key)

# The nodes neither TLS distribution nor a STRICT mesh policy without weakening protects.
unprotected contains i if {
	some i, _ in node_dist
	not tls_ok[i]
	not mesh_protected(i)
}

mesh_protected(i) if count(strict_weakenings[i]) == 0

mesh_weakened(i) if count(strict_weakenings[i]) > 0

# No field of the workload is to blame (a PeerAuthentication weakens the port): the finding is about the object.
violation contains violation.make(control_id, "mtlsPortWeakened", w, {"workload": k8s.name(w), "peerAuthentication": pa, "port": port}) if {
	some i, ws in strict_weakenings
	some [pa, port] in ws
	w := input.resources[i]
}

# The container whose flags lack TLS distribution (they may come from its args, env or a mounted file).
violation contains violation.at(control_id, "distNotEncrypted", w, f.c.__path, {"workload": k8s.name(w), "container": f.c.name}) if {
	some i in unprotected
	not mesh_weakened(i)
	w := input.resources[i]
	some f in node_dist[i]
	not f.tls
}

violation contains violation.at(control_id, "sslDistOptfileMissing", w, f.c.__path, {"workload": k8s.name(w), "container": f.c.name}) if {
	some i in unprotected
	not mesh_weakened(i)
	w := input.resources[i]
	some f in node_dist[i]
	f.tls
	not f.optfile
}
