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
