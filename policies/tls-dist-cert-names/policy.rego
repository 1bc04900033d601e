# tls-dist-cert-names: the certificate an Erlang node presents for TLS distribution must name the host
# part of its node name, because OTP's TLS distribution checks the peer's host name; or the ssl_dist
# client options turn that check off while still pinning the CA (verify_peer and cacertfile/cacerts).
# Mirrors src/validators/tls-dist-cert-names.ts.
package erlmcp.controls.tls_dist_cert_names

import data.lib.erlang
import data.lib.k8s
import data.lib.violation

control_id := "tls-dist-cert-names"

# $(VAR) is expanded by the kubelet in env values, command and args; ${VAR} by the release scripts in
# vm.args.src.
var_ref := `\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}`

node_env := {"RELEASE_NODE", "NODE_NAME"}

pod_ip_fields := {"status.podIP", "status.podIPs"}

index := erlang.set_index(input.resources)

# --- Where the node reads its flags (lib.erlang, as tls-erlang-dist reads them) ---------------------

env_text(ns, src) := erlang.env_text(index, ns, src)

# The VM's init flags of every Erlang container of an Erlang node that runs TLS distribution, read once
# per evaluation (lib.erlang flag_readings: in the VM's order, each part cut at -extra, one token list per
# reading of the command line), with the container and its environment (lib.erlang effective_env, read
# once: the wasm target computes a function again on every call): by the workload's position in
# input.resources, then the container's position in k8s.all_containers.
tls_readings := {i: {j: {"container": c, "env": e, "readings": readings} |
	some j, c in k8s.all_containers(w)
	k8s.container_is_erlang(c)
	e := erlang.effective_env(index, w, c)
	readings := erlang.flag_readings_in(index, w, c, e)
	erlang.tls_dist(readings)
} |
	some i, w in input.resources
	k8s.is_erlang_node(w)
}

# --- The ssl_dist options file ------------------------------------------------------------------------

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

# The objects that exist once the set is applied: of two Certificates or Secrets of one name, the last one.
existing_resources := k8s.last_by_identity(input.resources)

certificates[[ns, secret]] contains [concat("/", ["Certificate", k8s.name(r)]), r.spec] if {
	some r in existing_resources
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
	some r in existing_resources
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
	some [src, _] in erlang.mounted_file(w, c, file, "secret")
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
node_names(env, ns, c, readings) := {[text, source_path(c, src)] |
	some name, src in env
	node_env[name]
	text := env_text(ns, src)
} | {[name, c.__path] | some name in erlang.name_flags(readings)}

source_path(c, src) := array.concat(c.__path, ["env", src.index]) if src.from == "env"

source_path(c, src) := array.concat(c.__path, ["envFrom", src.index]) if src.from == "envFrom"

host(node) := concat("@", array.slice(parts, 1, count(parts))) if {
	parts := split(node, "@")
	count(parts) > 1
}

var_name(m) := m[1] if m[1] != ""

var_name(m) := m[2] if m[1] == ""

# What a referenced variable holds: {"podIP": true}, {"podName": true}, {"text": value}; undefined when
# unknown (a variable of the environment `env`, in namespace ns, is a pod field, else a text without a
# reference of its own).
var_value(env, ns, var) := {"podIP": true} if {
	field_path(env[var]) in pod_ip_fields
} else := {"podName": true} if {
	field_path(env[var]) == "metadata.name"
} else := {"text": ns} if {
	field_path(env[var]) == "metadata.namespace"
	ns != ""
} else := {"text": text} if {
	not field_path(env[var])
	text := env_text(ns, env[var])
	not contains(text, "$")
}

field_path(src) := src.entry.valueFrom.fieldRef.fieldPath if src.from == "env"

refs(h) := regex.find_all_string_submatch_n(var_ref, h, -1)

named_by_pod_ip(env, ns, h) if {
	some m in refs(h)
	var_value(env, ns, var_name(m)).podIP
}

# The host with every known variable filled in; a pod name stays a reference, one label no name but
# a wildcard matches. Undefined when a variable's value is unknown.
resolved_host(env, ns, h) := strings.replace_n(replacements, h) if {
	ms := refs(h)
	values := [[m[0], v] | some m in ms; v := var_value(env, ns, var_name(m))]
	count(values) == count(ms)
	replacements := {m0: v.text | some [m0, v] in values; v.text}
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
uncovered contains [w, c, node, path, cert[0], cert[1], erlang.section_text(text, "client"), by_ip] if {
	some i, containers in tls_readings
	w := input.resources[i]
	ns := k8s.namespace(w)
	some t in containers
	c := t.container
	some text in erlang.optfile_texts(index, w, c, t.readings)
	some cert in server_certs(w, c, erlang.section_text(text, "server"))
	some [node, path] in node_names(t.env, ns, c, t.readings)
	by_ip := rejected_as(t.env, ns, host(node), cert[1])
}

# Whether a host name is rejected because it is a pod IP (true) or a name the certificate lacks (false);
# undefined when the certificate covers it or a variable of it is unknown.
rejected_as(env, ns, h, spec) if {
	named_by_pod_ip(env, ns, h)
} else := false if {
	rh := resolved_host(env, ns, h)
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
