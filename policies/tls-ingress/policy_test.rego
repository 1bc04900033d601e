package erlmcp.controls.tls_ingress_test

import data.erlmcp.controls.tls_ingress as control

ingress(spec, annotations) := {"review": {"object": {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": "erlmcp", "namespace": "erlmcp", "annotations": annotations},
	"spec": spec,
}}}

rule(host) := {"host": host, "http": {"paths": []}}

ids(vs) := {v.details.messageId | some v in vs}

test_covered_host_passes if {
	count(control.violation) == 0 with input as ingress({"tls": [{"hosts": ["mcp.example.com"], "secretName": "t"}], "rules": [rule("mcp.example.com")]}, {})
}

test_wildcard_covers_one_label if {
	count(control.violation) == 0 with input as ingress({"tls": [{"hosts": ["*.example.com"], "secretName": "t"}], "rules": [rule("mcp.example.com")]}, {})
	ids(control.violation) == {"hostWithoutTls"} with input as ingress({"tls": [{"hosts": ["*.example.com"], "secretName": "t"}], "rules": [rule("a.mcp.example.com")]}, {})
	ids(control.violation) == {"hostWithoutTls"} with input as ingress({"tls": [{"hosts": ["*.example.com"], "secretName": "t"}], "rules": [rule("example.com")]}, {})
}

test_uncovered_host_fails if {
	ids(control.violation) == {"hostWithoutTls"} with input as ingress({"tls": [{"hosts": ["a.example.com"], "secretName": "t"}], "rules": [rule("b.example.com")]}, {})
}

test_hostless_rule_needs_hostless_tls if {
	ids(control.violation) == {"hostWithoutTls"} with input as ingress({"rules": [{"http": {"paths": []}}]}, {})
	ids(control.violation) == {"hostWithoutTls"} with input as ingress({"defaultBackend": {"service": {"name": "x"}}}, {})
	count(control.violation) == 0 with input as ingress({"tls": [{"secretName": "t"}], "rules": [{"http": {"paths": []}}]}, {})
}

test_tls_without_secret_fails if {
	ids(control.violation) == {"tlsWithoutSecret"} with input as ingress({"tls": [{"hosts": ["a.example.com"]}], "rules": [rule("a.example.com")]}, {})
}

test_snippet_fails if {
	vs := control.violation with input as ingress({}, {"nginx.ingress.kubernetes.io/server-snippet": "return 200;", "nginx.ingress.kubernetes.io/ssl-redirect": "true"})
	ids(vs) == {"snippetAnnotation"}
	count(vs) == 1
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Service", "spec": {"rules": [{"host": "x"}]}}}}
}

test_paths_point_at_the_tls_list_the_secret_name_and_the_annotation if {
	vs := control.violation with input as ingress(
		{"tls": [{"hosts": ["a.example.com"], "secretName": "t"}, {"hosts": ["b.example.com"]}], "rules": [rule("c.example.com")]},
		{"nginx.ingress.kubernetes.io/server-snippet": "x"},
	)
	{[v.details.messageId, v.details.path] | some v in vs} == {
		["hostWithoutTls", ["spec", "tls"]],
		["tlsWithoutSecret", ["spec", "tls", 1]],
		["snippetAnnotation", ["metadata", "annotations", "nginx.ingress.kubernetes.io/server-snippet"]],
	}
	some w in control.violation with input as ingress({"rules": [rule("c.example.com")]}, {})
	w.details.path == ["spec"]
}
