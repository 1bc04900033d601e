package lib.erlang_test

import data.lib.env
import data.lib.erlang

config_map(name, entries) := {"kind": "ConfigMap", "metadata": {"name": name, "namespace": "n"}, "data": entries}

flags_cm := config_map("flags", {"ERL_FLAGS": "-proto_dist inet_tls", "vm.args": "-name a@h", "sys.config": "[].", "other": "-x"})

ssl_cm := config_map("ssl", {"ssl_dist.conf": "[{server, [{certfile, \"/c/tls.crt\"}]}].", "extra.conf": "y"})

index := erlang.set_index([flags_cm, ssl_cm, {"kind": "Secret", "metadata": {"name": "s", "namespace": "n"}, "data": {"X": "eA=="}}])

pod(volumes) := {"kind": "Pod", "metadata": {"name": "p", "namespace": "n"}, "spec": {"volumes": volumes}}

test_set_index_reads_config_maps_and_provided_keys if {
	index.texts["n/flags"].other == "-x"
	"X" in env.keys_of(index.provided, "secret", "n", "s")
}

test_env_text_reads_literals_and_config_map_keys if {
	erlang.env_text(index, "n", {"from": "env", "entry": {"value": "v"}}) == "v"
	ref := {"from": "env", "entry": {"valueFrom": {"configMapKeyRef": {"name": "flags", "key": "ERL_FLAGS"}}}}
	erlang.env_text(index, "n", ref) == "-proto_dist inet_tls"
	erlang.env_text(index, "n", {"from": "envFrom", "kind": "configMap", "name": "flags", "key": "other"}) == "-x"
	not erlang.env_text(index, "n", {"from": "envFrom", "kind": "secret", "name": "s", "key": "X"})
	not erlang.env_text(index, "other", ref)
}

test_flag_readings_read_the_mounted_vm_args_command_args_and_flag_variables_not_the_sys_config if {
	c := {
		"command": ["erl"], "args": ["-s"],
		"env": [{"name": "ERL_ZFLAGS", "valueFrom": {"configMapKeyRef": {"name": "flags", "key": "ERL_FLAGS"}}}, {"name": "OTHER", "value": "-y"}],
		"volumeMounts": [{"name": "cfg", "mountPath": "/rel"}],
	}
	w := pod([{"name": "cfg", "configMap": {"name": "flags"}}])
	erlang.flag_readings(index, w, c) == {["-name", "a@h", "--", "erl", "-s", "--", "-proto_dist", "inet_tls", "--"]}
	erlang.mounted_flag_texts(index, w, c, {"sys.config"}) == ["[]."]
}

test_mounted_flag_texts_reads_only_the_mounted_items if {
	c := {"volumeMounts": [{"name": "cfg", "mountPath": "/rel"}]}
	projected := pod([{"name": "cfg", "projected": {"sources": [{"configMap": {"name": "flags", "items": [{"key": "sys.config", "path": "sys.config"}]}}]}}])
	erlang.mounted_flag_texts(index, projected, c, erlang.vm_args_files) == []
	erlang.mounted_flag_texts(index, projected, c, {"sys.config"}) == ["[]."]
}

test_ordered_flag_text_reads_no_flag_after_extra if {
	c := {
		"args": ["foreground", "-extra", "-proto_dist", "inet_tls"],
		"env": [
			{"name": "ERL_FLAGS", "value": "-extra -proto_dist inet_tls -ssl_dist_optfile /f"},
			{"name": "ELIXIR_ERL_OPTIONS", "value": "-name e@h -extra -proto_dist inet_tls"},
		],
	}
	readings := erlang.flag_readings(index, pod([]), c)
	not erlang.tls_dist(readings)
	erlang.optfile_paths(readings) == set()
	erlang.name_flags(readings) == {"e@h"}
}

test_dist_ranges_pin_by_the_flags_over_the_sys_config if {
	idx := erlang.set_index([config_map("rel", {"sys.config": "[{kernel, [{inet_dist_listen_min, 9300}]}].", "vm.args": "-x"})])
	w := pod([{"name": "rel", "configMap": {"name": "rel"}}])
	mounted := {"name": "a", "volumeMounts": [{"name": "rel", "mountPath": "/rel"}]}
	erlang.container_listen_ranges(idx, w, mounted) == {[9300, 9300]}
	flagged := object.union(mounted, {"args": ["-kernel", "inet_dist_listen_min", "9400", "-extra", "-kernel", "inet_dist_listen_min", "9500"]})
	erlang.container_listen_ranges(idx, w, flagged) == {[9400, 9400]}

	# Exec'd directly, one element holding a space is one plain argument: the sys.config's 9300 holds there.
	spaced := object.union(mounted, {"args": ["-kernel inet_dist_listen_min 9400"]})
	erlang.container_listen_ranges(idx, w, spaced) == {[9300, 9300], [9400, 9400]}
	sts := {"kind": "StatefulSet", "metadata": {"name": "s", "namespace": "n"}, "spec": {"template": {"spec": {
		"volumes": [{"name": "rel", "configMap": {"name": "rel"}}],
		"containers": [mounted, {"name": "b", "ports": [{"name": "epmd", "containerPort": 4369}]}, {"name": "c"}],
	}}}}
	erlang.dist_ranges(idx, sts, [9100, 9105]) == {[9300, 9300], [9100, 9105]}

	# A container that pins a range in one reading only listens on the fallback in the other.
	quoted := {"name": "d", "args": ["-kernel", "inet_dist_listen_min", "'9400'"]}
	one := {"kind": "StatefulSet", "metadata": {"name": "s", "namespace": "n"}, "spec": {"template": {"spec": {
		"volumes": [{"name": "rel", "configMap": {"name": "rel"}}],
		"containers": [quoted, {"name": "c"}],
	}}}}
	erlang.dist_ranges(idx, one, [9100, 9105]) == {[9100, 9105], [9400, 9400]}
}

test_flag_readings_read_command_and_args_as_one_argv_cut_at_its_first_extra if {
	c := {
		"command": ["erl", "-extra"], "args": ["-kernel", "inet_dist_listen_min", "9200"],
		"env": [{"name": "ERL_AFLAGS", "value": "-a -extra -b"}, {"name": "ERL_FLAGS", "value": "-kernel inet_dist_listen_min 9300"}],
	}
	erlang.flag_readings(index, pod([]), c) == {["-a", "--", "erl", "--", "-kernel", "inet_dist_listen_min", "9300", "--"]}
}

test_flag_readings_split_the_variables_on_spaces_and_on_any_whitespace if {
	c := {"env": [{"name": "ERL_FLAGS", "value": "-kernel\tinet_dist_listen_min 9200"}]}
	erlang.flag_readings(index, pod([]), c) == {
		["--", "-kernel\tinet_dist_listen_min", "9200", "--"],
		["--", "-kernel", "inet_dist_listen_min", "9200", "--"],
	}
}

test_flag_readings_read_each_release_variable_first_and_none if {
	c := {"args": ["-s"], "env": [
		{"name": "ERL_AFLAGS", "value": "-a"},
		{"name": "ERL_OTP27_FLAGS", "value": "-x -extra -y"},
		{"name": "ERL_OTP26_FLAGS", "value": "-z"},
		{"name": "ERL_OTPX_FLAGS", "value": "-ignored"},
	]}
	erlang.flag_readings(index, pod([]), c) == {
		["-a", "--", "-s", "--"],
		["-x", "--", "-a", "--", "-s", "--"],
		["-z", "--", "-a", "--", "-s", "--"],
	}
	erlang.release_flag_variables({"ERL_OTP27_FLAGS": {}, "ERL_FLAGS": {}, "ERL_OTP_FLAGS": {}, "ERL_OTP26_FLAGS": {}}) == ["ERL_OTP26_FLAGS", "ERL_OTP27_FLAGS"]
}

test_flag_readings_split_elixir_erl_options_as_the_shell_does if {
	c := {"env": [{"name": "ELIXIR_ERL_OPTIONS", "value": "-proto_dist \"inet_tls\"\t-a\\ b\n-c"}]}
	erlang.flag_readings(index, pod([]), c) == {["-proto_dist", "\"inet_tls\"", "-a\\", "b", "-c", "--", "--"]}
}

tokens(text) := array.concat(erlang.words(text), ["--"])

test_words_split_on_spaces_as_erlexec_does if {
	erlang.words(`  -a "b c"d 'e\' f\ g `) == ["-a", "b cd", `e\`, "f g"]
	erlang.words("-a\tb") == ["-a\tb"]
	erlang.words(`a\`) == ["a"]
	erlang.args_file_words("-a b # -c d\n-e\tf") == ["-a", "b", "-e", "f"]
}

test_flag_values_end_at_the_next_flag if {
	erlang.flag_values(tokens("-proto_dist inet_tls inet_tcp +K true -x -proto_dist"), "-proto_dist") == [["inet_tls", "inet_tcp"], []]
}

test_dist_protocols_need_exactly_one_proto_dist if {
	erlang.dist_protocols(tokens(`erl -proto_dist "inet6_tls"`)) == ["inet6_tls"]
	erlang.dist_protocols(tokens("-proto_dist inet_tls -proto_dist inet_tls")) == ["inet_tcp"]
	erlang.dist_protocols(tokens("-name a")) == ["inet_tcp"]
	erlang.tls_dist({tokens(`erl -proto_dist "inet6_tls"`)})
	not erlang.tls_dist({tokens("-proto_dist inet_tcp")})
	not erlang.tls_dist({tokens("-proto_dist inet_tls inet_tcp")})
	not erlang.tls_dist({tokens("-proto_dist")})
	not erlang.tls_dist({tokens("-proto_dist inet_tls"), tokens("-proto_dist inet_tls -proto_dist inet_tls")})
}

test_optfile_and_name_as_the_vm_takes_them if {
	erlang.optfile_paths({tokens(`-ssl_dist_optfile '/a' -ssl_dist_optfile /b`)}) == set()
	erlang.optfile_paths({tokens(`-ssl_dist_optfile '/a'`), tokens("-ssl_dist_optfile /b")}) == {"/a", "/b"}
	erlang.optfile_paths({tokens(`-ssl_dist_optfile`)}) == set()
	erlang.has_optfile({tokens(`-ssl_dist_optfile /a -ssl_dist_optfile /b`)})
	not erlang.has_optfile({tokens("-ssl_dist_optfile /a"), tokens("-x")})
	erlang.name_flags({tokens("-name b@h -sname a -sname c")}) == {"a"}
	erlang.name_flags({tokens("-sname -name b@h -name d@h")}) == {"b@h"}
}

test_command_line_readings_keep_argv_elements_whole_unless_a_shell_splits_them if {
	erlang.command_line_readings({"args": ["-proto_dist inet_tls"]}) == [["-proto_dist inet_tls"], ["-proto_dist", "inet_tls"]]
	script := {"command": ["/bin/sh", "-ec"], "args": ["exec erl -proto_dist 'inet_tls'", "-proto_dist inet_tcp"]}
	erlang.command_line_readings(script) == [["exec", "erl", "-proto_dist", "inet_tls"], ["exec", "erl", "-proto_dist", "inet_tls", "-proto_dist", "inet_tcp"]]
}

test_flag_readings_join_the_command_and_args_and_cut_each_part_at_extra if {
	c := {"command": ["erl", "-proto_dist"], "args": ["inet_tls"], "env": [{"name": "ERL_FLAGS", "value": "-ssl_dist_optfile /a -extra -proto_dist x"}]}
	erlang.flag_readings(index, pod([]), c) == {["erl", "-proto_dist", "inet_tls", "--", "-ssl_dist_optfile", "/a", "--"]}
	split_env := {"env": [{"name": "ERL_AFLAGS", "value": "-proto_dist"}, {"name": "ERL_FLAGS", "value": "inet_tls"}]}
	erlang.dist_protocols(erlang.flag_readings(index, pod([]), split_env)[_]) == []
}

test_volume_sources if {
	erlang.volume_sources({"configMap": {"name": "c"}}, "configMap") == [{"name": "c"}]
	erlang.volume_sources({"secret": {"secretName": "s"}}, "secret") == [{"secretName": "s", "name": "s"}]
	erlang.volume_sources({"projected": {"sources": [{"secret": {"name": "s"}}, {"configMap": null}]}}, "configMap") == []
	not erlang.volume_sources({"configMap": {"name": "c"}}, "other")
}

test_mounted_file_follows_mount_path_sub_path_and_items if {
	w := pod([{"name": "v", "configMap": {"name": "ssl", "items": [{"key": "ssl_dist.conf", "path": "d/ssl.conf"}]}}])
	dir := {"volumeMounts": [{"name": "v", "mountPath": "/etc/ssl/"}]}
	erlang.mounted_file(w, dir, "/etc/ssl/d/ssl.conf", "configMap") == {[w.spec.volumes[0].configMap, "ssl_dist.conf"]}
	erlang.mounted_file(w, dir, "/etc/ssl/extra.conf", "configMap") == set()
	file := {"volumeMounts": [{"name": "v", "mountPath": "/ssl.conf", "subPath": "d/ssl.conf"}]}
	erlang.mounted_config_texts(index, w, file, "/ssl.conf") == {ssl_cm.data["ssl_dist.conf"]}
	sub_dir := {"volumeMounts": [{"name": "v", "mountPath": "/etc", "subPath": "d"}]}
	erlang.mounted_config_texts(index, w, sub_dir, "/etc/ssl.conf") == {ssl_cm.data["ssl_dist.conf"]}
	whole := pod([{"name": "v", "configMap": {"name": "ssl"}}])
	erlang.mounted_config_texts(index, whole, dir, "/etc/ssl/extra.conf") == {"y"}
}

test_optfile_texts_read_the_named_mounted_file if {
	w := pod([{"name": "v", "configMap": {"name": "ssl"}}])
	c := {"volumeMounts": [{"name": "v", "mountPath": "/etc/ssl"}]}
	erlang.optfile_texts(index, w, c, {tokens("-ssl_dist_optfile /etc/ssl/ssl_dist.conf"), tokens("-ssl_dist_optfile /nowhere")}) == {ssl_cm.data["ssl_dist.conf"]}
}

test_sections_drop_comments_and_split_server_and_client if {
	text := `[{server, [{certfile, "/a"}]}, % {client, [{verify, verify_none}]}
{client, [{verify, verify_peer}]}, {server, [{keyfile, "/k"}]}].`
	contains(erlang.section_text(text, "server"), `{certfile, "/a"}`)
	contains(erlang.section_text(text, "server"), `{keyfile, "/k"}`)
	contains(erlang.section_text(text, "client"), "verify_peer")
	not contains(erlang.section_text(text, "client"), "verify_none")
	erlang.section_text("[].", "client") == ""
}

test_flag_readings_follow_the_vm_order if {
	c := {
		"command": ["erl"], "args": ["-a", 1],
		"env": [
			{"name": "ERL_ZFLAGS", "value": "-z"}, {"name": "ERL_FLAGS", "value": "-old"}, {"name": "ERL_FLAGS", "value": "-f -extra -plain"},
			{"name": "ELIXIR_ERL_OPTIONS", "value": "-e"}, {"name": "ERL_AFLAGS", "valueFrom": {"configMapKeyRef": {"name": "flags", "key": "other"}}},
		],
		"volumeMounts": [{"name": "cfg", "mountPath": "/rel"}],
	}
	w := pod([{"name": "cfg", "configMap": {"name": "args"}}])
	idx := erlang.set_index([config_map("args", {"vm.args": "-v # -kernel x 1\n-w"}), config_map("flags", {"other": "-x"})])
	erlang.flag_readings(idx, w, c) == {["-x", "--", "-e", "--", "-v", "-w", "--", "erl", "-a", "--", "-f", "--", "-z", "--"]}
}

test_kernel_param_values_reads_every_pair_in_order if {
	flags := tokens(`-kernel inet_dist_listen_min 9100 inet_dist_listen_max "9105" -name a -kernel inet_dist_listen_min 9200 odd`)
	erlang.kernel_param_values(flags, "inet_dist_listen_min") == ["9100", "9200"]
	erlang.kernel_param_values(flags, "inet_dist_listen_max") == ["9105"]
	erlang.kernel_param_values(flags, "odd") == []
	erlang.kernel_param_values(tokens("-kernel"), "inet_dist_listen_min") == []
	erlang.kernel_param_values(["-kernel", "inet_dist_listen_min", "--", "9200"], "inet_dist_listen_min") == []
}

test_erlang_integer_reads_plain_separated_and_based_literals if {
	erlang.erlang_integer("9100") == 9100
	erlang.erlang_integer("9_100") == 9100
	erlang.erlang_integer("16#23F0") == 9200
	erlang.erlang_integer("2#1_0") == 2
	not erlang.erlang_integer("2#12")
	not erlang.erlang_integer("37#1")
	not erlang.erlang_integer("'9100'x")
	not erlang.erlang_integer("9100.0")
}

test_dist_listen_ranges_as_the_vm_reads_them if {
	erlang.dist_listen_ranges(tokens("-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9205"), "") == {[9200, 9205]}
	erlang.dist_listen_ranges(tokens("-kernel inet_dist_listen_min 9200"), "") == {[9200, 9200]}
	erlang.dist_listen_ranges(tokens("-kernel inet_dist_listen_min 9200 inet_dist_listen_max x"), "") == {[9200, 9200]}
	erlang.dist_listen_ranges(tokens("-kernel inet_dist_listen_max 9205"), "") == {null}
	erlang.dist_listen_ranges(tokens("-kernel inet_dist_listen_min 0"), "") == {null}
	erlang.dist_listen_ranges(tokens("-kernel inet_dist_listen_min '9200x'"), "") == {null}

	# A literal quote is part of the value when exec'd directly: '9200' is an atom, "9200" a string.
	erlang.dist_listen_ranges(["-kernel", "inet_dist_listen_min", "'9200'", "--"], "") == {null}
}

# OTP 25 takes the first -kernel setting of a parameter, or the last where a sys.config sets it too.
test_dist_listen_ranges_read_each_range_of_a_parameter_given_twice if {
	twice := tokens("-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9205 -- -kernel inet_dist_listen_min 9100 inet_dist_listen_max x")
	erlang.dist_listen_ranges(twice, "") == {[9200, 9205], [9200, 9200], [9100, 9205], [9100, 9100]}
	erlang.dist_listen_ranges(tokens("-kernel inet_dist_listen_min 9200 -kernel inet_dist_listen_min x"), "") == {[9200, 9200], null}
}

test_flag_readings_read_the_args_files_in_place if {
	c := {
		"command": ["erl", "-args_file", "/etc/a.args", "-b", "-args_file", "/nowhere", "-c"],
		"env": [{"name": "ERL_FLAGS", "value": "-args_file '/etc/a.args'"}],
		"volumeMounts": [{"name": "cfg", "mountPath": "/etc"}],
	}
	w := pod([{"name": "cfg", "configMap": {"name": "args"}}])
	idx := erlang.set_index([config_map("args", {"a.args": "-a # note"})])
	erlang.flag_readings(idx, w, c) == {["erl", "-a", "--", "-b", "-c", "--", "-a", "--", "--"]}
}

test_dist_listen_range_reads_the_sys_config_under_the_flags if {
	config := `[{kernel, [{inet_dist_listen_min, 9300}, % {inet_dist_listen_max, 9999}
{'inet_dist_listen_max', 16#2459}]}].`
	erlang.config_kernel_param(config, "inet_dist_listen_max") == "16#2459"
	erlang.dist_listen_ranges(tokens(""), config) == {[9300, 9305]}
	erlang.dist_listen_ranges(tokens("-kernel inet_dist_listen_min 9302"), config) == {[9302, 9305]}
	erlang.dist_listen_ranges(tokens("-kernel inet_dist_listen_max 9400"), config) == {[9300, 9400]}
	erlang.dist_listen_ranges(tokens(""), "[{kernel, [{inet_dist_listen_max, 9305}]}].") == {null}
}
