package erlmcp.controls.tls_erlang_dist

import data.lib.env
import data.lib.k8s
import data.lib.violation

control_id := "tls-erlang-dist"

dist_port_min := object.get(input, ["parameters", "distPortMin"], 9100)

dist_port_max := object.get(input, ["parameters", "distPortMax"], 9105)

mesh_root_namespace := "istio-system"

proto_dist_tls := `(^|\s)-proto_dist\s+["']?inet6?_tls`

ssl_dist_optfile := `(^|\s)-ssl_dist_optfile\s+["']?[^\s"']`

# The VM's flags, wherever the node reads them: command and args; the winning value (CONTROLS.md
# Semantics) of each flag variable, literal or from a ConfigMap key; and a vm.args or sys.config of a
# ConfigMap mounted in the container (binaryData decoded).
flag_env := {"ERL_FLAGS", "ERL_AFLAGS", "ERL_ZFLAGS", "ELIXIR_ERL_OPTIONS"}

flag_text(w, c) := concat(" ", array.concat(
	array.concat(object.get(c, "command", []), object.get(c, "args", [])),
	array.concat(env_flag_texts(w, c), mounted_flag_texts(w, c)),
))

provided := env.provided_keys(input.resources)

config_texts[cm_key(k8s.namespace(r), k8s.name(r))] := env.config_map_texts(r) if {
	some r in input.resources
	r.kind == "ConfigMap"
}

cm_key(ns, name) := concat("/", [ns, name])

env_flag_texts(w, c) := [text |
	some name, src in env.effective_env(c, k8s.namespace(w), provided)
	flag_env[name]
	text := source_text(k8s.namespace(w), src)
]

source_text(_, src) := src.entry.value if {
	src.from == "env"
	is_string(src.entry.value)
}

source_text(ns, src) := config_texts[cm_key(ns, ref.name)][ref.key] if {
	src.from == "env"
	not is_string(object.get(src.entry, "value", null))
	ref := src.entry.valueFrom.configMapKeyRef
}

source_text(ns, src) := config_texts[cm_key(ns, src.name)][src.key] if {
	src.from == "envFrom"
	src.kind == "configMap"
}

mounted_flag_texts(w, c) := [text |
	some m in object.get(c, "volumeMounts", [])
	some vol in object.get(k8s.pod_spec(w), "volumes", [])
	vol.name == m.name
	some cm in mounted_config_maps(vol)
	some key, text in config_texts[cm_key(k8s.namespace(w), cm.name)]
	mounted_key(cm, key)
	vm_file(key)
]

mounted_config_maps(vol) := [vol.configMap] if is_object(vol.configMap)

mounted_config_maps(vol) := [s.configMap | some s in vol.projected.sources; is_object(s.configMap)] if is_object(vol.projected)

mounted_key(cm, key) if not cm.items

mounted_key(cm, key) if {
	some item in cm.items
	item.key == key
}

vm_file(key) if endswith(key, "vm.args")

vm_file(key) if endswith(key, "vm.args.src")

vm_file(key) if endswith(key, "sys.config")

erlang_containers(w) := [c |
	some c in k8s.all_containers(w)
	k8s.container_is_erlang(c)
]

runs_tls(w, c) if {
	regex.match(proto_dist_tls, flag_text(w, c))
	regex.match(ssl_dist_optfile, flag_text(w, c))
}

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
	some pa in array.concat(array.concat(workload_level(w), namespace_level(w)), mesh_level)
	some key, setting in object.get(pa, ["spec", "portLevelMtls"], {})
	is_dist_port(key)
	object.get(setting, "mode", "UNSET") != "STRICT"
}

is_dist_port(key) if {
	regex.match(`^[0-9]+$`, format_port(key))
	port := to_number(format_port(key))
	port in ({4369} | {p | some p in numbers.range(dist_port_min, dist_port_max)})
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
	not regex.match(proto_dist_tls, flag_text(w, c))
}

violation contains violation.at(control_id, "sslDistOptfileMissing", w, c.__path, {"workload": k8s.name(w), "container": c.name}) if {
	some w in input.resources
	unprotected(w)
	not mesh_weakened(w)
	some c in erlang_containers(w)
	regex.match(proto_dist_tls, flag_text(w, c))
	not regex.match(ssl_dist_optfile, flag_text(w, c))
}
