package erlmcp.controls.sec_references_resolve_test

import data.erlmcp.controls.sec_references_resolve as control

deploy(ns, spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": ns}, "spec": {"template": {"spec": spec}}}

env_ref(name) := {"containers": [{"name": "app", "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": name, "key": "k"}}}]}]}

run(resources) := {[v.details.data.secret, v.details.data.where] | some v in vs} if {
	vs := control.violation with input as {"resources": resources}
}

test_missing_references if {
	run([deploy("a", object.union(env_ref("s1"), {
		"imagePullSecrets": [{"name": "s2"}],
		"volumes": [{"name": "v", "secret": {"secretName": "s3"}}, {"name": "p", "projected": {"sources": [{"secret": {"name": "s4"}}, {"configMap": {"name": "c"}}]}}],
	}))]) == {["s1", "container app env X"], ["s2", "imagePullSecrets"], ["s3", "volume v"], ["s4", "projected volume p"]}
	run([deploy("a", {"initContainers": [{"name": "i", "envFrom": [{"secretRef": {"name": "s5"}}, {"configMapRef": {"name": "c"}}]}]})]) == {["s5", "container i envFrom"]}
}

test_optional_references_pass if {
	run([deploy("a", {
		"containers": [{"name": "app", "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k", "optional": true}}}], "envFrom": [{"secretRef": {"name": "s", "optional": true}}]}],
		"volumes": [{"name": "v", "secret": {"secretName": "s", "optional": true}}, {"name": "p", "projected": {"sources": [{"secret": {"name": "s", "optional": true}}]}}],
	})]) == set()
}

test_producers if {
	run([
		deploy("a", env_ref("plain")),
		deploy("a", env_ref("es-target")),
		deploy("a", env_ref("es-own")),
		deploy("a", env_ref("sealed")),
		deploy("a", env_ref("sealed-template")),
		deploy("a", env_ref("cert")),
		{"kind": "Secret", "metadata": {"name": "plain", "namespace": "a"}},
		{"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "x", "namespace": "a"}, "spec": {"target": {"name": "es-target"}}},
		{"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret", "metadata": {"name": "es-own", "namespace": "a"}, "spec": {}},
		{"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "metadata": {"name": "sealed", "namespace": "a"}, "spec": {}},
		{"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "metadata": {"name": "y", "namespace": "a"}, "spec": {"template": {"metadata": {"name": "sealed-template"}}}},
		{"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "z", "namespace": "a"}, "spec": {"secretName": "cert"}},
	]) == set()
}

test_namespace_must_match if {
	run([deploy("a", env_ref("s")), {"kind": "Secret", "metadata": {"name": "s", "namespace": "b"}}]) == {["s", "container app env X"]}
}

test_ingress_tls if {
	ing := {"kind": "Ingress", "metadata": {"name": "i", "namespace": "a"}, "spec": {"tls": [{"secretName": "t"}, {"hosts": ["h"]}]}}
	run([ing]) == {["t", "tls 0"]}
	shim := object.union(ing, {"metadata": {"annotations": {"cert-manager.io/issuer": "ca"}}})
	run([shim]) == set()
}

paths(resources) := {[v.details.data.secret, v.details.path] | some v in vs} if {
	vs := control.violation with input as {"resources": resources}
}

test_paths_point_at_the_secret_name if {
	t := ["spec", "template", "spec"]
	paths([deploy("a", object.union(env_ref("s1"), {
		"initContainers": [{"name": "i", "envFrom": [{"configMapRef": {"name": "c"}}, {"secretRef": {"name": "s5"}}]}],
		"imagePullSecrets": [{"name": "s2"}],
		"volumes": [{"name": "v", "secret": {"secretName": "s3"}}, {"name": "p", "projected": {"sources": [{"configMap": {"name": "c"}}, {"secret": {"name": "s4"}}]}}],
	}))]) == {
		["s1", array.concat(t, ["containers", 0, "env", 0, "valueFrom", "secretKeyRef", "name"])],
		["s5", array.concat(t, ["initContainers", 0, "envFrom", 1, "secretRef", "name"])],
		["s2", array.concat(t, ["imagePullSecrets", 0, "name"])],
		["s3", array.concat(t, ["volumes", 0, "secret", "secretName"])],
		["s4", array.concat(t, ["volumes", 1, "projected", "sources", 1, "secret", "name"])],
	}
	paths([{"kind": "Ingress", "metadata": {"name": "i", "namespace": "a"}, "spec": {"tls": [{"hosts": ["x"], "secretName": "t"}]}}]) == {["t", ["spec", "tls", 0, "secretName"]]}
}
