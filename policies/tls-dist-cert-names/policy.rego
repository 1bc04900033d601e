# tls-dist-cert-names: the certificate an Erlang node presents for TLS distribution must name the host
# part of its node name, because OTP's TLS distribution checks the peer's host name; or the ssl_dist
# client options turn that check off while still pinning the CA (verify_peer and cacertfile/cacerts).
# Mirrors src/validators/tls-dist-cert-names.ts.
package erlmcp.controls.tls_dist_cert_names

import data.lib.env
import data.lib.k8s
import data.lib.violation

control_id := "tls-dist-cert-names"

proto_dist_tls := `(^|\s)-proto_dist\s+["']?inet6?_tls`

optfile_flag := `(?:^|\s)-ssl_dist_optfile\s+["']?([^\s"']+)`

name_flag := `(?:^|\s)-s?name\s+["']?([^\s"']+)`

# $(VAR) is expanded by the kubelet in env values, command and args; ${VAR} by the release scripts in
# vm.args.src.
var_ref := `\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}`

flag_env := {"ERL_FLAGS", "ERL_AFLAGS", "ERL_ZFLAGS", "ELIXIR_ERL_OPTIONS"}

node_env := {"RELEASE_NODE", "NODE_NAME"}

pod_ip_fields := {"status.podIP", "status.podIPs"}

provided := env.provided_keys(input.resources)

config_texts[key(k8s.namespace(r), k8s.name(r))] := env.config_map_texts(r) if {
	some r in input.resources
	r.kind == "ConfigMap"
}

key(ns, name) := concat("/", [ns, name])

# --- Where the node reads its flags (as tls-erlang-dist reads them) ---------------------------------

effective(w, c) := env.effective_env(c, k8s.namespace(w), provided)

env_text(_, src) := src.entry.value if {
	src.from == "env"
	is_string(src.entry.value)
}

env_text(ns, src) := config_texts[key(ns, ref.name)][ref.key] if {
	src.from == "env"
	not is_string(object.get(src.entry, "value", null))
	ref := src.entry.valueFrom.configMapKeyRef
}

env_text(ns, src) := config_texts[key(ns, src.name)][src.key] if {
	src.from == "envFrom"
	src.kind == "configMap"
}

flag_text(w, c) := concat(" ", array.concat(
	array.concat(object.get(c, "command", []), object.get(c, "args", [])),
	array.concat(env_flag_texts(w, c), mounted_vm_args(w, c)),
))

env_flag_texts(w, c) := [text |
	some name, src in effective(w, c)
	flag_env[name]
	text := env_text(k8s.namespace(w), src)
]

mounted_vm_args(w, c) := [text |
	some m in object.get(c, "volumeMounts", [])
	some vol in object.get(k8s.pod_spec(w), "volumes", [])
	vol.name == m.name
	some cm in volume_sources(vol, "configMap")
	some file, text in config_texts[key(k8s.namespace(w), cm.name)]
	key_mounted(cm, file)
	vm_file(file)
]

vm_file(file) if endswith(file, "vm.args")

vm_file(file) if endswith(file, "vm.args.src")

key_mounted(src, _) if not src.items

key_mounted(src, file) if {
	some item in src.items
	item.key == file
}

# --- Files the container mounts: [volume source, key] of a path --------------------------------------

# The configMap (kind "configMap") or secret (kind "secret") sources of a volume, projected ones included,
# each with its object name under "name".
volume_sources(vol, kind) := [s[kind] |
	some s in object.get(vol, ["projected", "sources"], [])
	is_object(s[kind])
] if {
	is_object(vol.projected)
} else := [object.get(vol, "configMap", null) | is_object(vol.configMap)] if {
	kind == "configMap"
} else := [object.union(vol.secret, {"name": object.get(vol.secret, "secretName", "")}) | is_object(vol.secret)] if {
	kind == "secret"
}

# [source, key] for every key of a ConfigMap or Secret volume that the container sees at `file`.
mounted_file(w, c, file, kind) := {[src, k] |
	some m in object.get(c, "volumeMounts", [])
	is_string(m.mountPath)
	rel := path_in_volume(m, file)
	some vol in object.get(k8s.pod_spec(w), "volumes", [])
	vol.name == m.name
	some src in volume_sources(vol, kind)
	k := key_at(src, rel)
}

path_in_volume(m, file) := object.get(m, "subPath", "") if {
	file == m.mountPath
	object.get(m, "subPath", "") != ""
}

path_in_volume(m, file) := trim_prefix(file, dir) if {
	dir := concat("", [trim_suffix(m.mountPath, "/"), "/"])
	startswith(file, dir)
	object.get(m, "subPath", "") == ""
}

path_in_volume(m, file) := concat("/", [m.subPath, trim_prefix(file, dir)]) if {
	dir := concat("", [trim_suffix(m.mountPath, "/"), "/"])
	startswith(file, dir)
	object.get(m, "subPath", "") != ""
}

key_at(src, rel) := rel if not src.items

key_at(src, rel) := item.key if {
	some item in src.items
	item.path == rel
}

# --- The ssl_dist options file ------------------------------------------------------------------------

optfile_texts(w, c) := {text |
	some m in regex.find_all_string_submatch_n(optfile_flag, flag_text(w, c), -1)
	some [src, k] in mounted_file(w, c, m[1], "configMap")
	text := config_texts[key(k8s.namespace(w), src.name)][k]
}

# The file without Erlang comments, split into its {server, ...} and {client, ...} sections.
section_pattern := `\{\s*(server|client)\s*,`

# Without a capturing group: the wasm SDK's regex.split is JavaScript's, which returns the captures too.
section_split := `\{\s*(?:server|client)\s*,`

sections(text) := [[d[1], parts[i + 1]] |
	clean := regex.split(`%[^\n]*`, text)
	joined := concat("\n", clean)
	delims := regex.find_all_string_submatch_n(section_pattern, joined, -1)
	parts := regex.split(section_split, joined)
	some i, d in delims
]

section_text(text, side) := concat("\n", [s[1] | some s in sections(text); s[0] == side])

verify_none(client) if regex.match(`\{\s*verify\s*,\s*verify_none\s*\}`, client)

sni_disabled(client) if regex.match(`\{\s*server_name_indication\s*,\s*disable\s*\}`, client)

host_check_off(client) if verify_none(client)

host_check_off(client) if sni_disabled(client)

ca_pinned(client) if {
	not verify_none(client)
	regex.match(`\{\s*(cacertfile|cacerts)\s*,`, client)
}

certfiles(server) := {m[1] | some m in regex.find_all_string_submatch_n(`\{\s*certfile\s*,\s*"([^"]+)"`, server, -1)}

# --- The certificate behind a mounted certfile ------------------------------------------------------

certificates[[ns, secret]] contains [concat("/", ["Certificate", k8s.name(r)]), r.spec] if {
	some r in input.resources
	r.kind == "Certificate"
	startswith(object.get(r, "apiVersion", ""), "cert-manager.io/")
	ns := k8s.namespace(r)
	secret := r.spec.secretName
	is_string(secret)
}

annotation_list(r, name) := [trim_space(s) |
	some s in split(object.get(r, ["metadata", "annotations", name], ""), ",")
	trim_space(s) != ""
]

# A Secret cert-manager issued records the names in its annotations.
issued_secrets[[k8s.namespace(r), k8s.name(r)]] := [concat("/", ["Secret", k8s.name(r)]), {
	"dnsNames": annotation_list(r, "cert-manager.io/alt-names"),
	"ipAddresses": annotation_list(r, "cert-manager.io/ip-sans"),
	"commonName": object.get(r, ["metadata", "annotations", "cert-manager.io/common-name"], ""),
}] if {
	some r in input.resources
	r.kind == "Secret"
	annotations := object.get(r, ["metadata", "annotations"], {})
	some a in ["cert-manager.io/alt-names", "cert-manager.io/ip-sans"]
	is_string(annotations[a])
}

cert_specs(ns, secret) := certificates[[ns, secret]] if {
	count(certificates[[ns, secret]]) > 0
} else := {issued_secrets[[ns, secret]]}

# [certificate label, spec] of every certfile the server options name.
server_certs(w, c, server) := {cert |
	some file in certfiles(server)
	some [src, _] in mounted_file(w, c, file, "secret")
	some cert in cert_specs(k8s.namespace(w), src.name)
}

strings_of(spec, field) := [s | some s in object.get(spec, field, []); is_string(s)]

# The names a host name check accepts: the SANs; the common name only when there is no SAN.
dns_names(spec) := strings_of(spec, "dnsNames") if {
	count(array.concat(strings_of(spec, "dnsNames"), strings_of(spec, "ipAddresses"))) > 0
} else := [spec.commonName] if {
	is_string(spec.commonName)
	spec.commonName != ""
} else := []

cert_names(spec) := concat(", ", sort(array.concat(dns_names(spec), strings_of(spec, "ipAddresses"))))

# --- Node names -----------------------------------------------------------------------------------

# [node name, field path] of every name the node may take: RELEASE_NODE / NODE_NAME as the kubelet
# builds the environment, and -name / -sname in its flags.
node_names(w, c) := {[text, source_path(c, src)] |
	some name, src in effective(w, c)
	node_env[name]
	text := env_text(k8s.namespace(w), src)
} | {[m[1], c.__path] | some m in regex.find_all_string_submatch_n(name_flag, flag_text(w, c), -1)}

source_path(c, src) := array.concat(c.__path, ["env", src.index]) if src.from == "env"

source_path(c, src) := array.concat(c.__path, ["envFrom", src.index]) if src.from == "envFrom"

host(node) := concat("@", array.slice(parts, 1, count(parts))) if {
	parts := split(node, "@")
	count(parts) > 1
}

var_name(m) := m[1] if m[1] != ""

var_name(m) := m[2] if m[1] == ""

# What a referenced variable holds: {"podIP": true}, {"podName": true}, {"text": value}; undefined when
# unknown (a variable of the environment is a pod field, else a text without a reference of its own).
var_value(w, c, var) := {"podIP": true} if {
	field_path(effective(w, c)[var]) in pod_ip_fields
} else := {"podName": true} if {
	field_path(effective(w, c)[var]) == "metadata.name"
} else := {"text": k8s.namespace(w)} if {
	field_path(effective(w, c)[var]) == "metadata.namespace"
	k8s.namespace(w) != ""
} else := {"text": text} if {
	not field_path(effective(w, c)[var])
	text := env_text(k8s.namespace(w), effective(w, c)[var])
	not contains(text, "$")
}

field_path(src) := src.entry.valueFrom.fieldRef.fieldPath if src.from == "env"

refs(h) := regex.find_all_string_submatch_n(var_ref, h, -1)

named_by_pod_ip(w, c, h) if {
	some m in refs(h)
	var_value(w, c, var_name(m)).podIP
}

# The host with every known variable filled in; a pod name stays a reference, one label no name but
# a wildcard matches. Undefined when a variable's value is unknown.
resolved_host(w, c, h) := strings.replace_n(replacements, h) if {
	every m in refs(h) {
		var_value(w, c, var_name(m))
	}
	replacements := {m[0]: var_value(w, c, var_name(m)).text |
		some m in refs(h)
		var_value(w, c, var_name(m)).text
	}
}

covered(host, spec) if {
	some name in dns_names(spec)
	lower(name) == lower(host)
}

covered(host, spec) if {
	some name in dns_names(spec)
	startswith(name, "*.")
	parts := split(host, ".")
	count(parts) > 1
	parts[0] != ""
	lower(concat(".", array.slice(parts, 1, count(parts)))) == lower(substring(name, 2, -1))
}

covered(host, spec) if host in strings_of(spec, "ipAddresses")

# --- Findings -------------------------------------------------------------------------------------

# [workload, container, node, path, certificate, spec, client options, pod IP?] of every node name its
# certificate does not cover.
uncovered contains [w, c, node, path, cert[0], cert[1], section_text(text, "client"), by_ip] if {
	some w in input.resources
	k8s.is_erlang_node(w)
	some c in k8s.all_containers(w)
	k8s.container_is_erlang(c)
	regex.match(proto_dist_tls, flag_text(w, c))
	some text in optfile_texts(w, c)
	some cert in server_certs(w, c, section_text(text, "server"))
	some [node, path] in node_names(w, c)
	by_ip := rejected_as(w, c, host(node), cert[1])
}

# Whether a host name is rejected because it is a pod IP (true) or a name the certificate lacks (false);
# undefined when the certificate covers it or a variable of it is unknown.
rejected_as(w, c, h, spec) if {
	named_by_pod_ip(w, c, h)
} else := false if {
	rh := resolved_host(w, c, h)
	not covered(rh, spec)
}

fields(f) := {"workload": k8s.name(f[0]), "container": object.get(f[1], "name", ""), "node": f[2], "certificate": f[4], "names": cert_names(f[5])}

violation contains violation.at(control_id, "nodeNamedByPodIp", f[0], f[3], fields(f)) if {
	some f in uncovered
	f[7]
	not host_check_off(f[6])
}

violation contains violation.at(control_id, "nodeNameNotCovered", f[0], f[3], fields(f)) if {
	some f in uncovered
	not f[7]
	not host_check_off(f[6])
}

violation contains violation.at(control_id, "hostCheckOffNotPinned", f[0], f[3], fields(f)) if {
	some f in uncovered
	host_check_off(f[6])
	not ca_pinned(f[6])
}
