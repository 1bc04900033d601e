package erlmcp.controls.tls_erlang_dist_test

import data.erlmcp.controls.tls_erlang_dist as control

sts(ns, container) := {
	"apiVersion": "apps/v1",
	"kind": "StatefulSet",
	"metadata": {"name": "erlmcp", "namespace": ns},
	"spec": {"template": {"metadata": {"labels": {"app": "erlmcp"}}, "spec": {"containers": [object.union({"name": "erlmcp", "ports": [{"name": "epmd", "containerPort": 4369}]}, container)]}}},
}

pa(ns, spec) := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "pa", "namespace": ns}, "spec": spec}

strict := {"mtls": {"mode": "STRICT"}}

run(resources) := {v.details.messageId | some v in vs} if {
	vs := control.violation with input as {"resources": resources, "parameters": {"distPortMin": 9100, "distPortMax": 9105}}
}

test_tls_flags_pass if {
	run([sts("a", {"env": [{"name": "ERL_FLAGS", "value": "-proto_dist inet_tls -ssl_dist_optfile /etc/ssl_dist.conf"}]})]) == set()
	run([sts("a", {"command": ["erl", "-proto_dist", "inet6_tls"], "args": ["-ssl_dist_optfile", "/f"]})]) == set()
}

test_plaintext_fails if {
	run([sts("a", {})]) == {"distNotEncrypted"}
	run([sts("a", {"env": [{"name": "ERL_AFLAGS", "value": "-proto_dist inet_tls"}]})]) == {"sslDistOptfileMissing"}
}

test_istio_coverage if {
	run([sts("a", {}), pa("a", strict)]) == set()
	run([sts("a", {}), pa("istio-system", strict)]) == set()
	run([sts("a", {}), pa("a", object.union(strict, {"selector": {"matchLabels": {"app": "erlmcp"}}}))]) == set()
	run([sts("a", {}), pa("a", object.union(strict, {"selector": {"matchLabels": {"app": "other"}}}))]) == {"distNotEncrypted"}
	run([sts("a", {}), pa("b", strict)]) == {"distNotEncrypted"}
	run([sts("a", {}), pa("a", {"mtls": {"mode": "PERMISSIVE"}})]) == {"distNotEncrypted"}
	run([sts("a", {}), {"kind": "PeerAuthentication", "apiVersion": "other.io/v1", "metadata": {"name": "x", "namespace": "a"}, "spec": strict}]) == {"distNotEncrypted"}
}

test_workload_level_overrides_namespace if {
	override := pa("a", {"selector": {"matchLabels": {"app": "erlmcp"}}, "mtls": {"mode": "PERMISSIVE"}})
	run([sts("a", {}), pa("a", strict), override]) == {"distNotEncrypted"}
	inherit := pa("a", {"selector": {"matchLabels": {"app": "erlmcp"}}, "portLevelMtls": {"8080": {"mode": "DISABLE"}}})
	run([sts("a", {}), pa("a", strict), inherit]) == set()
}

test_port_level_weakening if {
	run([sts("a", {}), pa("a", object.union(strict, {"portLevelMtls": {"4369": {"mode": "DISABLE"}}}))]) == {"mtlsPortWeakened"}
	run([sts("a", {}), pa("a", object.union(strict, {"portLevelMtls": {"9105": {"mode": "PERMISSIVE"}}}))]) == {"mtlsPortWeakened"}
	run([sts("a", {}), pa("a", object.union(strict, {"portLevelMtls": {9101: {}}}))]) == {"mtlsPortWeakened"}
	run([sts("a", {}), pa("a", object.union(strict, {"portLevelMtls": {"9106": {"mode": "DISABLE"}, "4369": {"mode": "STRICT"}}}))]) == set()
}

test_non_erlang_ignored if {
	run([{"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "web"}]}}}}]) == set()
}

tls_flags := "-proto_dist inet_tls -ssl_dist_optfile /etc/ssl_dist.conf"

flags_cm(values) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "flags", "namespace": "a"}, "data": values}

with_volume(w, vol) := object.union(w, {"spec": {"template": {"spec": {"volumes": [object.union({"name": "v"}, vol)]}}}})

mount := {"volumeMounts": [{"name": "v", "mountPath": "/opt/rel/vm.args", "subPath": "vm.args"}]}

test_flags_from_a_config_map_key_and_env_from if {
	ref := {"env": [{"name": "ERL_FLAGS", "valueFrom": {"configMapKeyRef": {"name": "flags", "key": "f"}}}]}
	run([flags_cm({"f": tls_flags}), sts("a", ref)]) == set()
	run([flags_cm({"ERL_FLAGS": tls_flags}), sts("a", {"envFrom": [{"configMapRef": {"name": "flags"}}]})]) == set()
	run([sts("a", ref)]) == {"distNotEncrypted"}
}

test_flags_from_a_mounted_vm_args if {
	cm := flags_cm({"vm.args": tls_flags, "other.args": "-x"})
	run([cm, with_volume(sts("a", mount), {"configMap": {"name": "flags"}})]) == set()
	run([cm, with_volume(sts("a", mount), {"projected": {"sources": [{"configMap": {"name": "flags"}}]}})]) == set()
	run([cm, with_volume(sts("a", mount), {"configMap": {"name": "flags", "items": [{"key": "other.args", "path": "o"}]}})]) == {"distNotEncrypted"}
	run([cm, sts("a", {})]) == {"distNotEncrypted"}
}

test_binary_data_vm_args_are_read_and_a_sys_config_holds_no_flags if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "flags", "namespace": "a"}, "binaryData": {"vm.args": base64.encode(tls_flags)}}
	run([cm, with_volume(sts("a", mount), {"configMap": {"name": "flags"}})]) == set()
	sys := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "flags", "namespace": "a"}, "binaryData": {"sys.config": base64.encode(tls_flags)}}
	run([sys, with_volume(sts("a", mount), {"configMap": {"name": "flags"}})]) == {"distNotEncrypted"}
}

test_flags_after_extra_are_plain_arguments if {
	run([sts("a", {"args": ["foreground", "-extra", "-proto_dist", "inet_tls", "-ssl_dist_optfile", "/f"]})]) == {"distNotEncrypted"}
	run([sts("a", {"env": [{"name": "ERL_FLAGS", "value": concat(" ", ["-extra", tls_flags])}]})]) == {"distNotEncrypted"}
	run([sts("a", {"env": [{"name": "ERL_FLAGS", "value": concat(" ", ["-proto_dist inet_tls -extra", tls_flags])}]})]) == {"sslDistOptfileMissing"}
	cm := flags_cm({"vm.args": concat("\n", ["-extra", tls_flags])})
	run([cm, with_volume(sts("a", mount), {"configMap": {"name": "flags"}})]) == {"distNotEncrypted"}
}

test_flags_from_elixir_erl_options_and_an_args_file if {
	run([sts("a", {"env": [{"name": "ELIXIR_ERL_OPTIONS", "value": tls_flags}]})]) == set()
	cm := flags_cm({"dist.args": tls_flags})
	args_file := {"args": ["-args_file", "/etc/rel/dist.args"], "volumeMounts": [{"name": "v", "mountPath": "/etc/rel"}]}
	run([cm, with_volume(sts("a", args_file), {"configMap": {"name": "flags"}})]) == set()
	run([sts("a", {"args": ["-args_file", "/etc/rel/dist.args"]})]) == {"distNotEncrypted"}
}

weaken(port) := pa("a", object.union(strict, {"portLevelMtls": {port: {"mode": "DISABLE"}}}))

test_weakened_ports_are_the_ones_the_node_listens_on if {
	cm := flags_cm({"sys.config": "[{kernel, [{inet_dist_listen_min, 9200}]}]."})
	sys := {"volumeMounts": [{"name": "v", "mountPath": "/opt/rel/releases/1/sys.config", "subPath": "sys.config"}]}
	pinned := with_volume(sts("a", sys), {"configMap": {"name": "flags"}})
	run([cm, pinned, weaken("9200")]) == {"mtlsPortWeakened"}
	run([cm, pinned, weaken("9100")]) == set()
	run([cm, pinned, weaken("4369")]) == {"mtlsPortWeakened"}
	flagged := with_volume(sts("a", object.union(sys, {"args": ["-kernel", "inet_dist_listen_min", "9300"]})), {"configMap": {"name": "flags"}})
	run([cm, flagged, weaken("9300")]) == {"mtlsPortWeakened"}
	run([cm, flagged, weaken("9200")]) == set()
}

test_a_later_flags_entry_wins if {
	env := {"env": [{"name": "ERL_FLAGS", "value": tls_flags}, {"name": "ERL_FLAGS", "value": "-kernel x"}]}
	run([sts("a", env)]) == {"distNotEncrypted"}
}

test_paths_point_at_the_container if {
	vs := control.violation with input as {"resources": [sts("a", {})]}
	{v.details.path | some v in vs} == {["spec", "template", "spec", "containers", 0]}
	weakened := control.violation with input as {"resources": [sts("a", {}), pa("a", object.union(strict, {"portLevelMtls": {"4369": {"mode": "DISABLE"}}}))]}
	{w.details.path | some w in weakened} == {[]}
}
