package erlmcp.controls.sec_erlang_cookie_from_secret_test

import data.erlmcp.controls.sec_erlang_cookie_from_secret as control

sts(containers, volumes) := {
	"apiVersion": "apps/v1",
	"kind": "StatefulSet",
	"metadata": {"name": "erlmcp", "namespace": "erlmcp"},
	"spec": {"template": {"metadata": {"labels": {"app": "erlmcp"}}, "spec": {"containers": containers, "volumes": volumes}}},
}

node(name, extra) := object.union({"name": name, "image": "x", "ports": [{"name": "epmd", "containerPort": 4369}]}, extra)

cookie_env(secret) := {"env": [{"name": "RELEASE_COOKIE", "valueFrom": {"secretKeyRef": {"name": secret, "key": "cookie"}}}]}

run(resources) := vs if {
	vs := control.violation with input as {"resources": resources, "parameters": {"cookiePaths": ["/opt/erlmcp/releases/COOKIE"]}}
}

ids(vs) := {v.details.messageId | some v in vs}

test_secret_key_ref_passes if {
	count(run([sts([node("a", cookie_env("c")), {"name": "sidecar", "image": "y"}], [])])) == 0
}

test_literal_cookie_fails if {
	ids(run([sts([node("a", {"env": [{"name": "RELEASE_COOKIE", "value": "x"}]})], [])])) == {"cookieNotFromSecret"}
}

test_cookie_volumes_pass if {
	vols := [{"name": "c", "secret": {"secretName": "cookie", "items": [{"key": "k", "path": ".erlang.cookie"}]}}]
	count(run([sts([node("a", {"volumeMounts": [{"name": "c", "mountPath": "/home/app/"}]})], vols)])) == 0
	count(run([sts([node("a", {"volumeMounts": [{"name": "c", "mountPath": "/opt/erlmcp/releases/COOKIE", "subPath": "k"}]})], vols)])) == 0
	secret := {"kind": "Secret", "metadata": {"name": "cookie", "namespace": "erlmcp"}, "stringData": {".erlang.cookie": "x"}}
	dir_vols := [{"name": "c", "secret": {"secretName": "cookie"}}]
	count(run([secret, sts([node("a", {"volumeMounts": [{"name": "c", "mountPath": "/home/app"}]})], dir_vols)])) == 0
	ids(run([sts([node("a", {"volumeMounts": [{"name": "c", "mountPath": "/home/app"}]})], dir_vols)])) == {"cookieNotFromSecret"}
}

test_env_from_passes_only_with_a_known_key if {
	es := {"kind": "ExternalSecret", "metadata": {"name": "es", "namespace": "erlmcp"}, "spec": {"target": {"name": "env"}, "data": [{"secretKey": "RELEASE_COOKIE"}]}}
	w := sts([node("a", {"envFrom": [{"secretRef": {"name": "env"}}]})], [])
	count(run([es, w])) == 0
	ids(run([w])) == {"cookieNotFromSecret"}
	ids(run([es, sts([node("a", {"envFrom": [{"secretRef": {"name": "env"}, "prefix": "X_"}]})], [])])) == {"cookieNotFromSecret"}
}

test_different_sources_fail if {
	vs := run([sts([node("a", cookie_env("c1")), node("b", cookie_env("c2"))], [])])
	ids(vs) == {"cookieSourceMismatch"}
	some v in vs
	v.details.data.sources == "a: secret:c1/cookie; b: secret:c2/cookie"
}

test_one_without_secret_fails_twice if {
	ids(run([sts([node("a", cookie_env("c")), node("b", {})], [])])) == {"cookieSourceMismatch", "cookieNotFromSecret"}
}

test_the_winning_cookie_entry_counts if {
	literal_last := {"env": [
		{"name": "RELEASE_COOKIE", "valueFrom": {"secretKeyRef": {"name": "c", "key": "cookie"}}},
		{"name": "RELEASE_COOKIE", "value": "x"},
	]}
	ids(run([sts([node("a", literal_last)], [])])) == {"cookieNotFromSecret"}
	secret_last := {"env": [
		{"name": "RELEASE_COOKIE", "value": "x"},
		{"name": "RELEASE_COOKIE", "valueFrom": {"secretKeyRef": {"name": "c", "key": "cookie"}}},
	]}
	count(run([sts([node("a", secret_last)], [])])) == 0
}

test_env_overrides_env_from_and_a_config_map_source_is_no_secret if {
	secret := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "erlmcp"}, "data": {"RELEASE_COOKIE": "eA=="}}
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m", "namespace": "erlmcp"}, "data": {"RELEASE_COOKIE": "x"}}
	over := {"envFrom": [{"secretRef": {"name": "s"}}], "env": [{"name": "RELEASE_COOKIE", "value": "x"}]}
	ids(run([secret, sts([node("a", over)], [])])) == {"cookieNotFromSecret"}
	later_cm := {"envFrom": [{"secretRef": {"name": "s"}}, {"configMapRef": {"name": "m"}}]}
	ids(run([secret, cm, sts([node("a", later_cm)], [])])) == {"cookieNotFromSecret"}
	later_secret := {"envFrom": [{"configMapRef": {"name": "m"}}, {"secretRef": {"name": "s"}}]}
	count(run([secret, cm, sts([node("a", later_secret)], [])])) == 0
}

test_paths_point_at_the_cookie_entry_the_missing_env_and_the_pod_spec if {
	vs := run([sts(
		[
			node("a", {"env": [{"name": "LANG", "value": "C"}, {"name": "RELEASE_COOKIE", "value": "x"}]}),
			node("b", {}),
			node("c", cookie_env("c")),
		],
		[],
	)])
	{[v.details.messageId, v.details.path] | some v in vs} == {
		["cookieNotFromSecret", ["spec", "template", "spec", "containers", 0, "env", 1]],
		["cookieNotFromSecret", ["spec", "template", "spec", "containers", 1]],
		["cookieSourceMismatch", ["spec", "template", "spec"]],
	}
}
