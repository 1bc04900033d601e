# A container's environment as the kubelet builds it (mirrors src/k8s/env.ts): `envFrom` sources in
# order, each key under its `prefix`, a later source overriding an earlier one; then `env` entries in
# order, a later entry of a name overriding an earlier one and every `envFrom` value of that name.
package lib.env

import data.lib.k8s

# The keys every Secret ("secret"), ExternalSecret target ("secret") and ConfigMap ("configMap") of the
# set provides, by "kind/namespace/name" (see source_key): {key: true}. binaryData keys are keys like
# data keys. An object, not a set of tuples, so that a lookup does not scan every key of the set (the
# wasm target has no rule indexing); two sources of one name (a Secret and an ExternalSecret target)
# merge their keys. Of two objects of one identity, only the last one provides its keys
# (k8s.last_by_identity). The sources are sorted by key and each run of one key merged: object.union_n
# copies what it has merged at every step, quadratic in the sources (0.6 s for 13,000).
provided_keys(resources) := {sk: {key: true | some j in numbers.range(start, run_end(starts, n, count(sources))); some key in sources[j][1]} |
	sources := sort([[source_key(kind, k8s.namespace(r), name), keys] |
		some r in k8s.last_by_identity(resources)
		some [kind, name, keys] in key_sources(r)
		is_string(name)
	])
	starts := [i | some i, [sk, _] in sources; not same_key_before(sources, i, sk)]
	some n, start in starts
	sk := sources[start][0]
}

same_key_before(sources, i, sk) if sources[i - 1][0] == sk

# The last position of the run that starts at starts[n], in a list of `total` sources.
run_end(starts, n, total) := starts[n + 1] - 1 if n + 1 < count(starts)

else := total - 1

source_key(kind, ns, name) := concat("/", [kind, ns, name])

# The keys `provided` (provided_keys) holds for the source kind/ns/name: none for a name that is not a string.
keys_of(provided, kind, ns, name) := object.keys(object.get(provided, source_key(kind, ns, name), {})) if {
	is_string(name)
} else := set()

key_sources(r) := {["secret", k8s.name(r), object.keys(object.union(k8s_get(r, "data"), k8s_get(r, "stringData")))]} if {
	r.kind == "Secret"
}

key_sources(r) := {["configMap", k8s.name(r), object.keys(object.union(k8s_get(r, "data"), k8s_get(r, "binaryData")))]} if {
	r.kind == "ConfigMap"
}

key_sources(r) := {["secret", object.get(r, ["spec", "target", "name"], k8s.name(r)), {item.secretKey |
	some item in object.get(r, ["spec", "data"], [])
	is_string(item.secretKey)
}]} if {
	r.kind == "ExternalSecret"
}

k8s_get(r, field) := v if {
	v := object.get(r, field, {})
	is_object(v)
} else := {}

# Every variable of container c (in namespace ns) with the source that wins it:
# {"from": "env", "index": i, "entry": e} or
# {"from": "envFrom", "index": i, "kind": "secret"|"configMap", "name": n, "key": k}.
effective_env(c, ns, provided) := object.union(from_env_from(c, ns, provided), from_env(c))

env_list(c) := l if {
	l := object.get(c, "env", [])
	is_array(l)
} else := []

env_from_list(c) := l if {
	l := object.get(c, "envFrom", [])
	is_array(l)
} else := []

from_env(c) := {e.name: {"from": "env", "index": i, "entry": e} |
	some i, e in env_list(c)
	is_string(e.name)
	not env_overridden(env_list(c), i, e.name)
}

env_overridden(list, i, name) if {
	some j, later in list
	j > i
	later.name == name
}

from_env_from(c, ns, provided) := {var: {"from": "envFrom", "index": i, "kind": kind, "name": name, "key": key} |
	list := env_from_list(c)
	some i, item in list
	some [kind, name, key, var] in env_from_vars(item, ns, provided)
	not env_from_overridden(list, i, kind, var, ns, provided)
}

env_from_vars(item, ns, provided) := {[kind, name, key, concat("", [prefix(item), key])] |
	some kind in ["secret", "configMap"]
	name := item[concat("", [kind, "Ref"])].name
	some key in keys_of(provided, kind, ns, name)
}

prefix(item) := p if {
	p := item.prefix
	is_string(p)
} else := ""

# A later envFrom source sets the same variable; within one source, configMapRef is read after secretRef.
env_from_overridden(list, i, _, var, ns, provided) if {
	some j, later in list
	j > i
	some v in env_from_vars(later, ns, provided)
	v[3] == var
}

env_from_overridden(list, i, "secret", var, ns, provided) if {
	some v in env_from_vars(list[i], ns, provided)
	v[0] == "configMap"
	v[3] == var
}

# The literal text a winning source sets, if it is an `env` entry with a string `value`.
literal_value(source) := v if {
	source.from == "env"
	v := source.entry.value
	is_string(v)
}

# [secret name, key] when the winning source reads a Secret (secretKeyRef or an envFrom secretRef).
from_secret(source) := [source.name, source.key] if {
	source.from == "envFrom"
	source.kind == "secret"
}

from_secret(source) := [object.get(ref, "name", ""), object.get(ref, "key", "")] if {
	source.from == "env"
	ref := source.entry.valueFrom.secretKeyRef
}

# The text of every ConfigMap value: `data` as written and `binaryData` decoded from base64, as the
# kubelet hands both to a container. Mirrors configMapTexts in src/k8s/env.ts.
config_map_texts(obj) := object.union(
	{k: v |
		some k, v in object.get(obj, "data", {})
		is_string(v)
	},
	{k: base64.decode(v) |
		some k, v in object.get(obj, "binaryData", {})
		is_string(v)
		base64.is_valid(v)
	},
)

# The texts of config_map_texts, each with the field it is read from, as a list of [field, key, text] (field
# "data" or "binaryData"): the field a finding points at. A list, not a set: hashing 20,000 entries into a set
# was a third of the evaluation of a ConfigMap near the size limit. Mirrors configMapTextEntries in src/k8s/env.ts.
config_map_text_entries(obj) := array.concat(
	[["data", k, v] |
		some k, v in object.get(obj, "data", {})
		is_string(v)
	],
	[["binaryData", k, base64.decode(v)] |
		some k, v in object.get(obj, "binaryData", {})
		is_string(v)
		base64.is_valid(v)
	],
)
