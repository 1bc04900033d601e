package erlmcp.controls.sec_erlang_cookie_from_secret

import data.lib.env
import data.lib.k8s
import data.lib.violation

control_id := "sec-erlang-cookie-from-secret"

cookie_env := {"RELEASE_COOKIE", "ERLANG_COOKIE"}

cookie_paths := object.get(input, ["parameters", "cookiePaths"], [])

# [kind, namespace, name, key] of every key a Secret, ExternalSecret or ConfigMap of the set provides.
provided := env.provided_keys(input.resources)

erlang_containers(w) := [c |
	some c in k8s.all_containers(w)
	k8s.container_is_erlang(c)
]

# The winning source of each cookie variable the container sets (the env entry that wins, see
# CONTROLS.md Semantics: last entry of a name, env over envFrom).
winning_cookies(w, c) := {name: src |
	some name, src in env.effective_env(c, k8s.namespace(w), provided)
	cookie_env[name]
}

env_sources(w, c) := {concat("", ["secret:", ref[0], "/", ref[1]]) |
	some src in winning_cookies(w, c)
	ref := env.from_secret(src)
}

# Where a container's cookie does not come from a Secret: the env/envFrom entry whose winning value
# is a literal, a ConfigMap or a field; or, with no cookie at all, its env (where one is added).
cookie_not_from_secret_paths(w, c) := {array.concat(c.__path, [src.from, src.index]) |
	some src in winning_cookies(w, c)
	not env.from_secret(src)
} | {array.concat(c.__path, ["env"]) |
	count(winning_cookies(w, c)) == 0
	source_of(w, c) == ""
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

file_names(ns, secret) := env.keys_of(provided, "secret", ns, secret.secretName) if not secret.items

is_cookie_path(path) if endswith(path, ".erlang.cookie")

is_cookie_path(path) if path in cookie_paths

source_of(w, c) := concat(",", sort(env_sources(w, c) | volume_sources(w, c)))

violation contains violation.at(control_id, "cookieNotFromSecret", w, path, {"workload": k8s.name(w), "container": c.name}) if {
	some w in input.resources
	k8s.is_erlang_node(w)
	some c in erlang_containers(w)
	some path in cookie_not_from_secret_paths(w, c)
}

# The containers disagree: the pod spec that holds them.
violation contains violation.at(control_id, "cookieSourceMismatch", w, k8s.pod_spec_path(w), {"workload": k8s.name(w), "sources": concat("; ", sort(sources))}) if {
	some w in input.resources
	k8s.is_erlang_node(w)
	sources := {described(c.name, source_of(w, c)) | some c in erlang_containers(w)}
	count({s | some c in erlang_containers(w); s := source_of(w, c)}) > 1
}

described(name, "") := concat("", [name, ": none"])

described(name, source) := concat("", [name, ": ", source]) if source != ""
