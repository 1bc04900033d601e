package erlmcp.controls.sec_erlang_cookie_from_secret

import data.lib.k8s
import data.lib.violation

control_id := "sec-erlang-cookie-from-secret"

cookie_env := {"RELEASE_COOKIE", "ERLANG_COOKIE"}

cookie_paths := object.get(input, ["parameters", "cookiePaths"], [])

# [namespace, secret name, key] of every key a Secret or ExternalSecret in the set provides.
provided contains [k8s.namespace(r), k8s.name(r), key] if {
	some r in input.resources
	r.kind == "Secret"
	some key in object.keys(object.union(object.get(r, "data", {}), object.get(r, "stringData", {})))
}

provided contains [k8s.namespace(r), object.get(r, ["spec", "target", "name"], k8s.name(r)), item.secretKey] if {
	some r in input.resources
	r.kind == "ExternalSecret"
	some item in object.get(r, ["spec", "data"], [])
}

erlang_containers(w) := [c |
	some c in k8s.all_containers(w)
	k8s.container_is_erlang(c)
]

env_sources(c) := {concat("", ["secret:", ref.name, "/", ref.key]) |
	some e in object.get(c, "env", [])
	cookie_env[e.name]
	ref := e.valueFrom.secretKeyRef
}

env_from_sources(ns, c) := {concat("", ["secret:", name, "/", key]) |
	some ef in object.get(c, "envFrom", [])
	object.get(ef, "prefix", "") == ""
	name := ef.secretRef.name
	some key in cookie_env
	provided[[ns, name, key]]
}

volume_sources(w, c) := {concat("", ["volume:", vol.secret.secretName]) |
	some m in object.get(c, "volumeMounts", [])
	some vol in object.get(k8s.pod_spec(w), "volumes", [])
	vol.name == m.name
	some path in mount_paths(k8s.namespace(w), m, vol.secret)
	is_cookie_path(path)
}

mount_paths(_, m, _) := {m.mountPath} if object.get(m, "subPath", "") != ""

mount_paths(ns, m, secret) := {m.mountPath} | {concat("/", [trim_suffix(m.mountPath, "/"), p]) | some p in file_names(ns, secret)} if object.get(m, "subPath", "") == ""

file_names(_, secret) := {item.path | some item in secret.items} if secret.items

file_names(ns, secret) := {key | provided[[ns, secret.secretName, key]]} if not secret.items

is_cookie_path(path) if endswith(path, ".erlang.cookie")

is_cookie_path(path) if path in cookie_paths

source_of(w, c) := concat(",", sort(((env_sources(c) | env_from_sources(k8s.namespace(w), c)) | volume_sources(w, c))))

violation contains violation.make(control_id, "cookieNotFromSecret", w, {"workload": k8s.name(w), "container": c.name}) if {
	some w in input.resources
	k8s.is_erlang_node(w)
	some c in erlang_containers(w)
	source_of(w, c) == ""
}

violation contains violation.make(control_id, "cookieSourceMismatch", w, {"workload": k8s.name(w), "sources": concat("; ", sort(sources))}) if {
	some w in input.resources
	k8s.is_erlang_node(w)
	sources := {described(c.name, source_of(w, c)) | some c in erlang_containers(w)}
	count({s | some c in erlang_containers(w); s := source_of(w, c)}) > 1
}

described(name, "") := concat("", [name, ": none"])

described(name, source) := concat("", [name, ": ", source]) if source != ""
