package erlmcp.controls.tls_dist_cert_names_test

import data.erlmcp.controls.tls_dist_cert_names as control

server := `{server, [{certfile, "/tls/tls.crt"}, {cacertfile, "/tls/ca.crt"}, {verify, verify_peer}]}`

pinned := `{client, [{cacertfile, "/tls/ca.crt"}, {verify, verify_peer}]}`

ssl_dist(client) := concat("", ["[", server, ",\n ", client, "]."])

config(values) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "a"}, "data": values}

cert(spec) := {
	"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
	"metadata": {"name": "dist", "namespace": "a"},
	"spec": object.union({"secretName": "dist-tls"}, spec),
}

headless := {"dnsNames": ["*.h.a.svc"]}

pod_env := [
	{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
	{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
	{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
]

tls_flags := {"name": "ERL_FLAGS", "value": "-proto_dist inet_tls -ssl_dist_optfile /cfg/ssl_dist.conf"}

mounts := [{"name": "cfg", "mountPath": "/cfg"}, {"name": "tls", "mountPath": "/tls/"}]

volumes := [{"name": "cfg", "configMap": {"name": "cfg"}}, {"name": "tls", "secret": {"secretName": "dist-tls"}}]

node(container, vols) := {
	"apiVersion": "apps/v1", "kind": "StatefulSet",
	"metadata": {"name": "erl", "namespace": "a"},
	"spec": {"template": {"spec": {"containers": [object.union({"name": "erl", "ports": [{"name": "epmd", "containerPort": 4369}], "volumeMounts": mounts}, container)], "volumes": vols}}},
}

named(release_node) := node({"env": array.concat(pod_env, [{"name": "RELEASE_NODE", "value": release_node}, tls_flags])}, volumes)

run(resources) := {[v.details.messageId, v.details.data.node] | some v in vs} if {
	vs := control.violation with input as {"resources": resources}
}

test_headless_name_covered_by_wildcard if {
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), named("e@$(POD_NAME).h.$(POD_NAMESPACE).svc")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), named("e@${POD_NAME}.H.a.svc")]) == set()
}

test_wildcard_covers_one_label_only if {
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), named("e@x.$(POD_NAME).h.a.svc")]) == {["nodeNameNotCovered", "e@x.$(POD_NAME).h.a.svc"]}
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), named("e@h.a.svc")]) == {["nodeNameNotCovered", "e@h.a.svc"]}
}

test_pod_ip_needs_the_host_check_off_and_ca_pinned if {
	ip := "e@$(POD_IP)"
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), named(ip)]) == {["nodeNamedByPodIp", ip]}
	off := `{client, [{cacertfile, "/tls/ca.crt"}, {verify, verify_peer}, {server_name_indication, disable}]}`
	run([config({"ssl_dist.conf": ssl_dist(off)}), cert(headless), named(ip)]) == set()
	unpinned := `{client, [{verify, verify_peer}, {server_name_indication,disable}]}`
	run([config({"ssl_dist.conf": ssl_dist(unpinned)}), cert(headless), named(ip)]) == {["hostCheckOffNotPinned", ip]}
	none := `{client, [{cacertfile, "/tls/ca.crt"}, {verify, verify_none}]}`
	run([config({"ssl_dist.conf": ssl_dist(none)}), cert(headless), named(ip)]) == {["hostCheckOffNotPinned", ip]}
	commented := `{client, [{cacertfile, "/tls/ca.crt"}, {verify, verify_peer}]} % {server_name_indication, disable}`
	run([config({"ssl_dist.conf": ssl_dist(commented)}), cert(headless), named(ip)]) == {["nodeNamedByPodIp", ip]}
}

test_ip_address_san if {
	with_ip := cert({"dnsNames": ["*.h.a.svc"], "ipAddresses": ["10.0.0.5"]})
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), with_ip, named("e@10.0.0.5")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), with_ip, named("e@10.0.0.6")]) == {["nodeNameNotCovered", "e@10.0.0.6"]}
}

test_common_name_counts_only_without_sans if {
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert({"commonName": "seed.a.svc"}), named("e@seed.a.svc")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert({"commonName": "seed.a.svc", "dnsNames": ["x.a.svc"]}), named("e@seed.a.svc")]) == {["nodeNameNotCovered", "e@seed.a.svc"]}
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert({}), named("e@seed.a.svc")]) == {["nodeNameNotCovered", "e@seed.a.svc"]}
}

issued(annotations) := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "dist-tls", "namespace": "a", "annotations": annotations}}

test_names_of_an_issued_secret if {
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), issued({"cert-manager.io/alt-names": "seed.a.svc, other.a.svc"}), named("e@seed.a.svc")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), issued({"cert-manager.io/ip-sans": "10.0.0.5"}), named("e@seed.a.svc")]) == {["nodeNameNotCovered", "e@seed.a.svc"]}
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), issued({"other": "x"}), named("e@seed.a.svc")]) == set()
}

test_node_names_from_flags_and_config_maps if {
	from_args := node({"args": ["-name", "e@far.example", "-proto_dist", "inet_tls", "-ssl_dist_optfile", "/cfg/ssl_dist.conf"]}, volumes)
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), from_args]) == {["nodeNameNotCovered", "e@far.example"]}
	from_env_from := node({"envFrom": [{"configMapRef": {"name": "cfg"}}], "env": [{"name": "ERL_FLAGS", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "flags"}}}]}, volumes)
	values := {"ssl_dist.conf": ssl_dist(pinned), "flags": tls_flags.value, "NODE_NAME": "e@far.example"}
	run([config(values), cert(headless), from_env_from]) == {["nodeNameNotCovered", "e@far.example"]}
	vm_args := node({"env": [{"name": "X", "value": "y"}]}, volumes)
	run([config({"ssl_dist.conf": ssl_dist(pinned), "vm.args": "-sname e@far\n-proto_dist inet_tls -ssl_dist_optfile /cfg/ssl_dist.conf"}), cert(headless), vm_args]) == {["nodeNameNotCovered", "e@far"]}
}

unknown_env := array.concat(pod_env, [
	{"name": "HOST", "valueFrom": {"secretKeyRef": {"name": "s", "key": "host"}}},
	{"name": "NODE_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
	{"name": "NESTED", "value": "$(POD_NAME).x"},
	{"name": "SUFFIX", "value": "h.a.svc"},
])

w(value) := node({"env": array.concat(unknown_env, [{"name": "RELEASE_NODE", "value": value}, tls_flags])}, volumes)

test_variables_of_unknown_value_are_not_judged if {
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e@$(HOST)")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e@$(NODE_IP)")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e@$(NESTED)")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e@$(POD_NAME).$(SUFFIX)")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e@$(POD_NAME).x.$(SUFFIX)")]) == {["nodeNameNotCovered", "e@$(POD_NAME).x.$(SUFFIX)"]}
}

test_files_found_through_sub_paths_items_and_projections if {
	sub_mounts := [
		{"name": "cfg", "mountPath": "/cfg/ssl_dist.conf", "subPath": "dist/ssl_dist.conf"},
		{"name": "tls", "mountPath": "/tls", "subPath": "node"},
	]
	projected := [
		{"name": "cfg", "projected": {"sources": [{"configMap": {"name": "cfg", "items": [{"key": "ssl_dist.conf", "path": "dist/ssl_dist.conf"}]}}]}},
		{"name": "tls", "projected": {"sources": [{"secret": {"name": "dist-tls", "items": [{"key": "tls.crt", "path": "node/tls.crt"}]}}]}},
	]
	env := array.concat(pod_env, [{"name": "RELEASE_NODE", "value": "e@far.example"}, tls_flags])
	w := node({"env": env, "volumeMounts": sub_mounts}, projected)
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w]) == {["nodeNameNotCovered", "e@far.example"]}
	unmounted := node({"env": env, "volumeMounts": [{"name": "cfg", "mountPath": "/elsewhere"}]}, volumes)
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), unmounted]) == set()
	no_items := node({"env": env}, [{"name": "cfg", "configMap": {"name": "cfg", "items": null}}, volumes[1]])
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), no_items]) == set()
}

test_not_erlang_or_not_tls_is_not_judged if {
	plain := node({"env": [{"name": "RELEASE_NODE", "value": "e@far.example"}, {"name": "ERL_FLAGS", "value": "-ssl_dist_optfile /cfg/ssl_dist.conf"}]}, volumes)
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), plain]) == set()
	web := {"kind": "Deployment", "metadata": {"name": "web", "namespace": "a"}, "spec": {"template": {"spec": {"containers": [{"name": "web"}]}}}}
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), web]) == set()
}

test_violation_points_at_the_node_name if {
	vs := control.violation with input as {"resources": [config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), named("e@$(POD_IP)")]}
	[v.details.path | some v in vs] == [["spec", "template", "spec", "containers", 0, "env", 3]]
	[v.details.data | some v in vs] == [{"workload": "erl", "container": "erl", "node": "e@$(POD_IP)", "certificate": "Certificate/dist", "names": "*.h.a.svc"}]
}

# A host naming a variable twice is resolved in both places; one unknown variable among known ones
# leaves it unjudged (each reference needs a value).
test_repeated_and_mixed_references if {
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e@$(POD_NAME).$(SUFFIX)")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e@$(POD_NAME).$(SUFFIX).$(SUFFIX)")]) == {["nodeNameNotCovered", "e@$(POD_NAME).$(SUFFIX).$(SUFFIX)"]}
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e@$(POD_NAME).$(HOST).$(SUFFIX)")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert(headless), w("e@$(POD_NAME).$(SUFFIX).$(HOST)")]) == set()
	run([config({"ssl_dist.conf": ssl_dist(pinned)}), cert({"dnsNames": ["*.h.a.svc.h.a.svc"]}), w("e@$(POD_NAME).$(SUFFIX).$(SUFFIX)")]) == set()
}
