package erlmcp.controls.tls_ingress

import data.lib.k8s
import data.lib.violation

control_id := "tls-ingress"

obj := input.review.object

snippet_annotations := {
	"nginx.ingress.kubernetes.io/configuration-snippet",
	"nginx.ingress.kubernetes.io/server-snippet",
}

tls_entries := object.get(obj, ["spec", "tls"], []) if obj.kind == "Ingress"

rule_hosts contains object.get(rule, "host", "") if {
	obj.kind == "Ingress"
	some rule in object.get(obj, ["spec", "rules"], [])
}

rule_hosts contains "" if {
	obj.kind == "Ingress"
	obj.spec.defaultBackend
}

# A rule without a host (or the default backend) is served on every name: only a TLS entry without `hosts` covers it.
covered("") if {
	some tls in tls_entries
	count(object.get(tls, "hosts", [])) == 0
}

covered(host) if {
	host != ""
	some tls in tls_entries
	some pattern in object.get(tls, "hosts", [])
	host_matches(pattern, host)
}

host_matches(host, host)

host_matches(pattern, host) if {
	startswith(pattern, "*.")
	suffix := substring(pattern, 1, -1)
	endswith(host, suffix)
	label := trim_suffix(host, suffix)
	label != ""
	not contains(label, ".")
}

# Where the TLS entry covering the host goes.
violation contains violation.at(control_id, "hostWithoutTls", obj, ["spec", "tls"], ingress_data({"host": display(host)})) if {
	some host in rule_hosts
	not covered(host)
}

violation contains violation.at(control_id, "tlsWithoutSecret", obj, ["spec", "tls", i, "secretName"], ingress_data({"entry": i})) if {
	some i, tls in tls_entries
	object.get(tls, "secretName", "") == ""
}

violation contains violation.at(control_id, "snippetAnnotation", obj, ["metadata", "annotations", annotation], ingress_data({"annotation": annotation})) if {
	obj.kind == "Ingress"
	some annotation, _ in object.get(obj, ["metadata", "annotations"], {})
	snippet_annotations[annotation]
}

display("") := "(any host)"

display(host) := host if host != ""

ingress_data(extra) := object.union({"ingress": k8s.name(obj)}, extra)
