package erlmcp.controls.obs_metrics_scraped_test

import data.erlmcp.controls.obs_metrics_scraped as control

svc(port_name) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": "erlmcp", "namespace": "erlmcp", "labels": {"app.kubernetes.io/name": "erlmcp"}},
	"spec": {"ports": [{"name": "http", "port": 8080}, {"name": port_name, "port": 9090}]},
}

sm(ns, spec) := {
	"apiVersion": "monitoring.coreos.com/v1",
	"kind": "ServiceMonitor",
	"metadata": {"name": "erlmcp", "namespace": ns},
	"spec": object.union({"selector": {"matchLabels": {"app.kubernetes.io/name": "erlmcp"}}, "endpoints": [{"port": "metrics"}]}, spec),
}

run(resources) := {v.details.messageId | some v in control.violation with input as {"resources": resources}}

test_same_namespace_monitor_passes if {
	run([svc("metrics"), sm("erlmcp", {})]) == set()
}

test_match_names_passes if {
	run([svc("metrics"), sm("monitoring", {"namespaceSelector": {"matchNames": ["erlmcp"]}})]) == set()
}

test_any_namespace_passes if {
	run([svc("metrics"), sm("monitoring", {"namespaceSelector": {"any": true}})]) == set()
}

test_other_namespace_fails if {
	run([svc("metrics"), sm("monitoring", {})]) == {"metricsPortNotScraped"}
}

test_empty_match_names_means_own_namespace if {
	run([svc("metrics"), sm("erlmcp", {"namespaceSelector": {"matchNames": []}})]) == set()
}

test_wrong_endpoint_port_fails if {
	run([svc("metrics"), sm("erlmcp", {"endpoints": [{"port": "http"}]})]) == {"metricsPortNotScraped"}
}

test_selector_mismatch_fails if {
	run([svc("http-metrics"), sm("erlmcp", {"selector": {"matchLabels": {"app": "x"}}, "endpoints": [{"port": "http-metrics"}]})]) == {"metricsPortNotScraped"}
}

test_no_metrics_port_passes if {
	run([svc("grpc")]) == set()
}

test_custom_port_names if {
	count(control.violation) == 1 with input as {"resources": [svc("prom")], "parameters": {"metricsPortNames": ["prom"]}}
}

test_path_points_at_the_unscraped_port if {
	vs := control.violation with input as {"resources": [svc("http-metrics"), sm("erlmcp", {})]}
	[v.details.path | some v in vs] == [["spec", "ports", 1]]
}
