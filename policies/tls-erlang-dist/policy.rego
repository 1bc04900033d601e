package erlmcp.controls.tls_erlang_dist

import data.lib.erlang
import data.lib.k8s
import data.lib.violation

control_id := "tls-erlang-dist"

dist_port_min := object.get(input, ["parameters", "distPortMin"], 9100)

dist_port_max := object.get(input, ["parameters", "distPortMax"], 9105)

mesh_root_namespace := "istio-system"

index := erlang.set_index(input.resources)

# The VM's flags in the order it reads them (lib.erlang ordered_flag_text): ERL_AFLAGS, ELIXIR_ERL_OPTIONS,
# a mounted vm.args and the -args_file it names, command and args, ERL_FLAGS, ERL_ZFLAGS, each variable's
# winning entry (literal or from a ConfigMap key, binaryData decoded), each part cut at -extra (what
# follows are plain arguments). No sys.config setting turns TLS distribution on: -proto_dist and
# -ssl_dist_optfile are flags only.
flag_text(w, c) := erlang.ordered_flag_text(index, w, c, erlang.vm_args_files)

# EPMD and the ports the node listens on: each node container's range its flags, over its mounted
# sys.config, pin (lib.erlang dist_ranges), else distPortMin-distPortMax (either order).
param_range := [min([dist_port_min, dist_port_max]), max([dist_port_min, dist_port_max])]

dist_ranges(w) := erlang.dist_ranges(index, w, param_range)

erlang_containers(w) := [c |
	some c in k8s.all_containers(w)
	k8s.container_is_erlang(c)
]

runs_tls(w, c) if {
	erlang.tls_dist(flag_text(w, c))
	has_optfile(w, c)
}

has_optfile(w, c) if count(erlang.optfile_paths(flag_text(w, c))) > 0

tls_ok(w) if {
	every c in erlang_containers(w) {
		runs_tls(w, c)
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

strict(w) if effective_modes(w) == {"STRICT"}

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

unprotected(w) if {
	k8s.is_erlang_node(w)
	not tls_ok(w)
	not mesh_protected(w)
}

mesh_protected(w) if {
	strict(w)
	count(weakenings(w)) == 0
}

mesh_weakened(w) if {
	strict(w)
	count(weakenings(w)) > 0
}

# No field of the workload is to blame (a PeerAuthentication weakens the port): the finding is about the object.
violation contains violation.make(control_id, "mtlsPortWeakened", w, {"workload": k8s.name(w), "peerAuthentication": pa, "port": port}) if {
	some w in input.resources
	unprotected(w)
	some [pa, port] in weakenings(w)
	strict(w)
}

# The container whose flags lack TLS distribution (they may come from its args, env or a mounted file).
violation contains violation.at(control_id, "distNotEncrypted", w, c.__path, {"workload": k8s.name(w), "container": c.name}) if {
	some w in input.resources
	unprotected(w)
	not mesh_weakened(w)
	some c in erlang_containers(w)
	not erlang.tls_dist(flag_text(w, c))
}

violation contains violation.at(control_id, "sslDistOptfileMissing", w, c.__path, {"workload": k8s.name(w), "container": c.name}) if {
	some w in input.resources
	unprotected(w)
	not mesh_weakened(w)
	some c in erlang_containers(w)
	erlang.tls_dist(flag_text(w, c))
	not has_optfile(w, c)
}
