# An Erlang node's distribution settings as the container gives them (mirrors src/k8s/erlang-dist.ts):
# the VM's init flags in the order it reads them (flag_readings), the files mounted at a path (volumes,
# projected volumes, items, subPath), the kernel settings of a mounted sys.config and the ssl_dist
# options file.
package lib.erlang

import data.lib.env
import data.lib.k8s

# The names of the files (key suffixes) of a mounted ConfigMap the release reads as VM flags.
vm_args_files := {"vm.args", "vm.args.src"}

# What the settings of a set are read from, built once per set: the text of every ConfigMap by
# "namespace/name" then key (binaryData decoded), and the keys `envFrom` sources provide. Of two
# ConfigMaps of one identity, the last one is read (k8s.last_by_identity).
# Only the kinds read are passed to last_by_identity (an identity includes the kind, so the last of each
# identity is the same), which sorts every identity it is given.
set_index(resources) := {
	"texts": {key(k8s.namespace(r), k8s.name(r)): env.config_map_texts(r) |
		some r in k8s.last_by_identity([r | some r in resources; r.kind == "ConfigMap"])
	},
	"provided": env.provided_keys([r | some r in resources; env_source_kinds[r.kind]]),
}

# The kinds lib.env key_sources reads keys from.
env_source_kinds := {"ConfigMap", "Secret", "ExternalSecret"}

key(ns, name) := concat("/", [ns, name])

# Every variable of container c of workload w with the source that wins it (lib.env effective_env).
effective_env(index, w, c) := env.effective_env(c, k8s.namespace(w), index.provided)

# The text of a winning source: a literal value, or a ConfigMap key (configMapKeyRef, envFrom configMapRef).
env_text(_, _, src) := src.entry.value if {
	src.from == "env"
	is_string(src.entry.value)
}

env_text(index, ns, src) := index.texts[key(ns, ref.name)][ref.key] if {
	src.from == "env"
	not is_string(object.get(src.entry, "value", null))
	ref := src.entry.valueFrom.configMapKeyRef
}

env_text(index, ns, src) := index.texts[key(ns, src.name)][src.key] if {
	src.from == "envFrom"
	src.kind == "configMap"
}

# The text of every mounted ConfigMap key whose name ends with one of `files`.
mounted_flag_texts(index, w, c, files) := [text |
	some m in object.get(c, "volumeMounts", [])
	some vol in object.get(k8s.pod_spec(w), "volumes", [])
	vol.name == m.name
	some cm in volume_sources(vol, "configMap")
	some file, text in index.texts[key(k8s.namespace(w), cm.name)]
	key_mounted(cm, file)
	some suffix in files
	endswith(file, suffix)
]

key_mounted(src, _) if not src.items

key_mounted(src, file) if {
	some item in src.items
	item.key == file
}

# --- Files the container mounts -----------------------------------------------------------------------

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

# The text of every ConfigMap key the container sees at `file`.
mounted_config_texts(index, w, c, file) := {text |
	some [src, k] in mounted_file(w, c, file, "configMap")
	text := index.texts[key(k8s.namespace(w), src.name)][k]
}

# The text of every ssl_dist options file the VM reads (optfile_paths of the readings) that a ConfigMap mounts.
optfile_texts(index, w, c, readings) := {text |
	some file in optfile_paths(readings)
	some text in mounted_config_texts(index, w, c, file)
}

# --- The ssl_dist options file (Erlang terms) -----------------------------------------------------------

section_pattern := `\{\s*(server|client)\s*,`

# Without a capturing group: the wasm SDK's regex.split is JavaScript's, which returns the captures too.
section_split := `\{\s*(?:server|client)\s*,`

# The file without Erlang comments (% to the end of the line), split into its {server, ...} and
# {client, ...} sections as [side, text].
sections(text) := [[d[1], parts[i + 1]] |
	clean := regex.split(`%[^\n]*`, text)
	joined := concat("\n", clean)
	delims := regex.find_all_string_submatch_n(section_pattern, joined, -1)
	parts := regex.split(section_split, joined)
	some i, d in delims
]

# The options of one side ("server" or "client") of an ssl_dist file, every section of it joined.
section_text(text, side) := concat("\n", [s[1] | some s in sections(text); s[0] == side])

# --- The kernel parameters the flags and the sys.config set -------------------------------------------

strings_of(c, field) := [s | some s in object.get(c, field, []); is_string(s)]

# An -args_file's text without its comments (# to the end of the line).
args_file_text(text) := concat("\n", regex.split(`#[^\n]*`, text))

digits := "0123456789abcdefghijklmnopqrstuvwxyz"

# The value of an Erlang integer literal: 9100, 9_100 or Base#Digits (16#238C); undefined for any other term.
erlang_integer(text) := to_number(replace(text, "_", "")) if regex.match(`^[0-9]+(_[0-9]+)*$`, text)

erlang_integer(text) := n if {
	regex.match(`^[0-9]+#[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$`, text)
	parts := split(replace(text, "_", ""), "#")
	base := to_number(parts[0])
	base >= 2
	base <= 36
	ds := [indexof(digits, lower(ch)) | some ch in split(parts[1], "")]
	every d in ds {
		d < base
	}
	n := sum([v | some i, d in ds; v := d * power(base, (count(ds) - 1) - i)])
}

power(_, e) := 1 if e == 0

power(base, e) := product([base | some _ in numbers.range(1, e)]) if e > 0

# The value (as written) a sys.config text gives the kernel parameter `par` ({Par, Val} in the
# {kernel, [...]} list), Erlang comments dropped; the last one wins.
config_kernel_param(config, par) := values[count(values) - 1] if {
	clean := concat("\n", regex.split(`%[^\n]*`, config))
	pattern := concat("", [`\{\s*'?`, par, `'?\s*,\s*([^\s,{}\[\]]+)\s*\}`])
	values := [m[1] | some m in regex.find_all_string_submatch_n(pattern, clean, -1)]
	count(values) > 0
}

# Every value one reading of the init flags (`tokens`) gives the kernel parameter `par` (-kernel Par Val
# Par Val ..., each occurrence of -kernel), in order. Which one the VM takes is not one rule: OTP 25 takes
# the first occurrence's unless a sys.config sets the parameter too, then the last one's (checked with erl
# 25.2.3); within one occurrence the last pair. Read fail-safe: each value is one the VM may take, so no
# port it may listen on goes unchecked.
kernel_param_values(tokens, par) := [values[k + 1] |
	some values in flag_values(tokens, "-kernel")
	some k, token in values
	k % 2 == 0
	token == par
	k + 1 < count(values)
]

# The values the VM may give kernel parameter `par`: those of the flags, which override the sys.config's,
# else the sys.config's.
kernel_settings(tokens, config, par) := given if {
	given := kernel_param_values(tokens, par)
	count(given) > 0
} else := [v | v := config_kernel_param(config, par)]

# The distribution listen ranges [min, max] the VM may take from one reading of its flags (`tokens`) over
# its sys.config text (`config`): each integer inet_dist_listen_min it may take with each
# inet_dist_listen_max (defaulting to the min). null for a min that is no positive integer, or none: the VM
# then listens on any free port. When max < min it listens on none.
dist_listen_ranges(tokens, config) := {r |
	maxes := kernel_settings(tokens, config, "inet_dist_listen_max")
	some text in kernel_settings(tokens, config, "inet_dist_listen_min")
	some r in min_ranges(text, maxes)
} if {
	count(kernel_settings(tokens, config, "inet_dist_listen_min")) > 0
} else := {null}

min_ranges(text, maxes) := {[lo, listen_max(max_text, lo)] | some max_text in maxes} if {
	lo := positive_integer(text)
	count(maxes) > 0
} else := {[lo, lo]} if {
	lo := positive_integer(text)
} else := {null}

positive_integer(text) := n if {
	n := erlang_integer(text)
	n > 0
}

listen_max(text, lo) := n if {
	n := erlang_integer(text)
} else := lo

# The listen range of each reading of container c's init flags (flag_readings) over its mounted sys.config
# (dist_listen_ranges); null where one pins none.
container_listen_ranges(index, w, c) := {r |
	config := concat("\n", mounted_flag_texts(index, w, c, {"sys.config"}))
	some tokens in flag_readings(index, w, c)
	some r in dist_listen_ranges(tokens, config)
}

# The distribution listen ranges [min, max] of each node container of w (an Erlang container, or any whose
# flags or sys.config pin a range in some reading): every range it may pin (container_listen_ranges),
# `fallback` for a reading that pins none.
dist_ranges(index, w, fallback) := {range_or(r, fallback) |
	some c in k8s.all_containers(w)
	ranges := container_listen_ranges(index, w, c)
	node_container(c, ranges)
	some r in ranges
}

node_container(c, _) if k8s.container_is_erlang(c)

node_container(_, ranges) if {
	some r in ranges
	r != null
}

range_or(r, _) := r if r != null

range_or(null, fallback) := fallback

# --- The init flags the VM starts with -------------------------------------------------------------

# A string split into words as erlexec splits an environment variable's value or an args file: on spaces
# (only), a "..." or '...' part and a backslash-escaped character kept inside a word, the quotes and the
# backslash dropped.
words(text) := [x | some x in split(text, " "); x != ""] if {
	not contains(text, `"`)
	not contains(text, "'")
	not contains(text, `\`)
} else := [unquote(m[0]) | some m in regex.find_all_string_submatch_n(word_pattern, text, -1)]

word_pattern := `(?s)(?:[^ "'\\]|\\.?|"[^"]*"?|'[^']*'?)+`

word_piece := `(?s)([^"'\\]+)|\\(.?)|"([^"]*)"?|'([^']*)'?`

unquote(x) := concat("", [concat("", [m[1], m[2], m[3], m[4]]) | some m in regex.find_all_string_submatch_n(word_piece, x, -1)])

# The whitespace erlexec (in an args file) and a shell (in a script) separate words by, each made a space.
spaced(text) := strings.replace_n({"\t": " ", "\n": " ", "\r": " ", "\f": " ", "\u000b": " "}, text)

# The words of an args file (or a mounted vm.args): # comments dropped, line breaks and tabs separate words.
args_file_words(text) := words(spaced(args_file_text(text))) if contains(text, "#")

args_file_words(text) := words(spaced(text)) if not contains(text, "#")

# Words a shell splits a script or an unquoted expansion into (quotes honoured).
shell_words(text) := words(spaced(text))

shells := {"sh", "bash", "dash", "ash", "zsh", "ksh"}

# The container's command line (command then args) in each way it may reach erlexec. Each element of
# command/args is one argv element: exec'd directly, ["-proto_dist inet_tls"] is one argument, not the
# flag; a release script may re-split its arguments on whitespace (relx passes $* unquoted). Both are
# read and a setting must hold in both. `sh -c SCRIPT` (bash, dash, ash, zsh, ksh; -c possibly combined
# with other one-letter options) runs the script word-split by the shell; the elements after it are the
# script's $0 $1 ..., which it may or may not pass on: read without them and with them.
command_line_readings(c) := [script, array.concat(script, [t |
	some e in array.slice(argv, 3, count(argv))
	some t in shell_words(e)
])] if {
	argv := array.concat(strings_of(c, "command"), strings_of(c, "args"))
	shell_c(argv)
	script := shell_words(argv[2])
} else := [argv, [t | some e in argv; some t in shell_words(e)]] if {
	argv := array.concat(strings_of(c, "command"), strings_of(c, "args"))
}

shell_c(argv) if {
	count(argv) > 2
	path := split(argv[0], "/")
	shells[path[count(path) - 1]]
	startswith(argv[1], "-")
	regex.match(`^-[a-z]*c[a-z]*$`, argv[1])
}

# The words before -extra (what follows are plain arguments).
before_extra_words(ws) := array.slice(ws, 0, n) if {
	n := min([i | some i, x in ws; x == "-extra"])
} else := ws

# One part of the command line (an environment variable, a mounted vm.args, the argv) as erlexec passes it
# on: cut at -extra, each `-args_file Path` replaced by the words of the file a ConfigMap mounts at Path (cut
# at its own -extra, then --; a path nothing mounts is dropped), then --, which erlexec puts after each
# part so that no flag takes values across parts.
part_tokens(index, w, c, ws) := array.concat(ws, ["--"]) if {
	not special_word(ws)
} else := array.concat(
	[t |
		cut := before_extra_words(ws)
		some i, x in cut
		some t in expand_word(index, w, c, cut, i, x)
	],
	["--"],
)

special_word(ws) if {
	some x in ws
	x in {"-extra", "-args_file"}
}

expand_word(index, w, c, ws, i, x) := [t |
	some text in mounted_config_texts(index, w, c, ws[i + 1])
	some t in array.concat(before_extra_words(args_file_words(text)), ["--"])
] if {
	x == "-args_file"
	i + 1 < count(ws)
} else := [] if {
	i > 0
	ws[i - 1] == "-args_file"
} else := [x]

flag_variables := ["ERL_AFLAGS", "ELIXIR_ERL_OPTIONS", "ERL_FLAGS", "ERL_ZFLAGS"]

# The words of each flag variable's winning value, by name (the variables without a value left out), split
# as erlexec releases split them: on spaces only (older, "spaces") or on any whitespace (newer).
# From the container's environment `e` (effective_env) in namespace ns.
flag_env_words(index, ns, e, split) := {name: variable_words(name, text, split) |
	some name in flag_variables
	text := env_text(index, ns, e[name])
}

# ELIXIR_ERL_OPTIONS is expanded unquoted on erl's command line by the elixir script (and a release's, which
# runs it): the shell splits it on spaces, tabs and newlines and keeps quotes and backslashes as they are.
# A word holding *, ? or [ may further be replaced by file names the shell matches: not read.
variable_words("ELIXIR_ERL_OPTIONS", text, _) := shell_fields(text)

variable_words(name, text, split) := env_words(text, split) if name != "ELIXIR_ERL_OPTIONS"

shell_fields(text) := [w | some w in regex.split(`[ \t\n]+`, text); w != ""]

env_words(text, "spaces") := words(text)

env_words(text, "whitespace") := words(spaced(text))

env_parts(env_words, name) := [env_words[name] | env_words[name]]

# ERL_OTP<release>_FLAGS: erlexec reads the variable of its own OTP release (ERL_OTP27_FLAGS on OTP 27)
# before every other part of the command line: undocumented ("intended for OTP internal use only",
# erlexec.c), yet read (OTP 25's erl sets kernel parameters from ERL_OTP25_FLAGS). The release variables
# the container's environment `e` sets, by name.
release_flag_variables(e) := sort([name | some name, _ in e; regex.match(`^ERL_OTP[0-9]+_FLAGS$`, name)])

# The words of the release variable `name` ("" for none), in a list of at most one part.
release_parts(_, _, _, "", _) := []

release_parts(index, ns, e, name, split) := [env_words(text, split) | text := env_text(index, ns, e[name])] if name != ""

# The init arguments of container c in the order the VM reads them: ERL_OTP<release>_FLAGS, ERL_AFLAGS,
# ELIXIR_ERL_OPTIONS, a mounted vm.args (the release script's -args_file), the command line (command then
# args, one argv), ERL_FLAGS, ERL_ZFLAGS; each variable's winning value split as erlexec splits it, each
# part as part_tokens gives it (erlexec cuts each part at its own -extra and reads on with the next part).
# Older erlexec releases split a variable on spaces only, newer ones on any whitespace (OTP 25 reads a tab
# as a separator): both are read, every variable of one reading split one way (one VM runs one erlexec).
# The release variable is read once per variable the container sets (the VM's release may be any of them)
# and once without one. One token list per reading of the command line (command_line_readings), splitting
# and release variable, distinct.
flag_readings(index, w, c) := flag_readings_in(index, w, c, effective_env(index, w, c))

# The same from the container's environment `e` (effective_env), for a caller that reads it too: the wasm
# target computes a function again on every call, and effective_env is the costliest part.
flag_readings_in(index, w, c, e) := {reading |
	vm_args := [args_file_words(t) | some t in mounted_flag_texts(index, w, c, vm_args_files)]
	lines := command_line_readings(c)
	ns := k8s.namespace(w)
	some split in ["spaces", "whitespace"]
	env_words := flag_env_words(index, ns, e, split)

	# Which release variable the VM reads depends on its OTP release, which no manifest states: none, or any one.
	some release in array.concat([""], release_flag_variables(e))
	before := array.concat(
		array.concat(
			release_parts(index, ns, e, release, split),
			array.concat(env_parts(env_words, "ERL_AFLAGS"), env_parts(env_words, "ELIXIR_ERL_OPTIONS")),
		),
		vm_args,
	)
	after := array.concat(env_parts(env_words, "ERL_FLAGS"), env_parts(env_words, "ERL_ZFLAGS"))
	some line in lines
	reading := [t |
		some part in array.concat(before, array.concat([line], after))
		some t in part_tokens(index, w, c, part)
	]
}

# The values of every occurrence of the init flag `name` (e.g. "-proto_dist") in the tokens, in order: the
# tokens after it up to the next one that starts with - or + (a flag, --, or an emulator flag erlexec takes).
# Every part ends with --, so an end is always found.
flag_values(tokens, name) := [array.slice(tokens, i + 1, end) |
	some i, t in tokens
	t == name
	end := min([j | some j, u in tokens; j > i; flag_start(u)])
]

flag_start(u) if startswith(u, "-")

flag_start(u) if startswith(u, "+")

# The distribution protocols the node starts a listener for: the values of -proto_dist when it occurs
# exactly once on the whole command line (net_kernel and kernel read init:get_argument(proto_dist) only as
# {ok, [Protos]}); otherwise, never given or given several times, plain inet_tcp.
dist_protocols(tokens) := occurrences[0] if {
	occurrences := flag_values(tokens, "-proto_dist")
	count(occurrences) == 1
} else := ["inet_tcp"]

tls_protocol_names := {"inet_tls", "inet6_tls"}

# Whether every listener runs TLS: at least one protocol, each inet_tls or inet6_tls.
tls_protocols(protocols) if {
	count(protocols) > 0
	every p in protocols {
		tls_protocol_names[p]
	}
}

# Whether the node runs its distribution over TLS only, in every reading of its command line.
tls_dist(readings) if {
	every tokens in readings {
		tls_protocols(dist_protocols(tokens))
	}
}

# Whether -ssl_dist_optfile is given in every reading. Given several times (or without a value) the
# node's ssl_dist_sup refuses to start and the node does not boot, which leaks nothing.
has_optfile(readings) if {
	every tokens in readings {
		count(flag_values(tokens, "-ssl_dist_optfile")) > 0
	}
}

# The ssl_dist options file the VM reads: ssl_dist_sup takes -ssl_dist_optfile only when it occurs once
# (its values joined, as a file name); several occurrences stop the node from booting. Of every reading.
optfile_paths(readings) := {concat("", occurrences[0]) |
	some tokens in readings
	occurrences := flag_values(tokens, "-ssl_dist_optfile")
	count(occurrences) == 1
	count(occurrences[0]) > 0
}

# The node name the flags give: erl_distribution takes the first -sname (the first occurrence, when it has
# exactly one value), else the first -name likewise. Of every reading.
name_flags(readings) := {name |
	some tokens in readings
	name := node_name_flag(tokens)
}

node_name_flag(tokens) := v[0] if {
	v := flag_values(tokens, "-sname")[0]
	count(v) == 1
} else := v[0] if {
	v := flag_values(tokens, "-name")[0]
	count(v) == 1
}

# What tls-erlang-dist needs of container c, read once: whether it runs TLS distribution only and whether
# it names an ssl_dist options file.
dist_flags(index, w, c) := {"tls": tls, "optfile": optfile} if {
	readings := flag_readings(index, w, c)
	tls := tls_dist_value(readings)
	optfile := has_optfile_value(readings)
}

tls_dist_value(readings) if tls_dist(readings)

default tls_dist_value(_) := false

has_optfile_value(readings) if has_optfile(readings)

default has_optfile_value(_) := false
