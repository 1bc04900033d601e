package erlmcp.controls.obs_metrics_scraped

import data.lib.k8s
import data.lib.violation

control_id := "obs-metrics-scraped"

port_names := object.get(input, ["parameters", "metricsPortNames"], ["metrics", "http-metrics"])

monitors := [m |
	some m in input.resources
	m.kind == "ServiceMonitor"
	m.apiVersion == "monitoring.coreos.com/v1"
]

covers_namespace(m, _) if m.spec.namespaceSelector.any == true

covers_namespace(m, ns) if ns in m.spec.namespaceSelector.matchNames

covers_namespace(m, ns) if {
	not m.spec.namespaceSelector.any == true
	count(object.get(m.spec, ["namespaceSelector", "matchNames"], [])) == 0
	k8s.namespace(m) == ns
}

scrapes(m, svc, port_name) if {
	covers_namespace(m, k8s.namespace(svc))
	k8s.selector_matches(m.spec.selector, k8s.labels(svc))
	some endpoint in m.spec.endpoints
	endpoint.port == port_name
}

violation contains v if {
	some svc in input.resources
	svc.kind == "Service"
	some i, port in object.get(svc, ["spec", "ports"], [])
	port.name in port_names
	not any_scrapes(svc, port.name)
	v := violation.at(control_id, "metricsPortNotScraped", svc, ["spec", "ports", i], {"service": k8s.name(svc), "port": port.name})
}

# Only the monitors that can cover the Service's namespace are tried (indexed, not scanned per Service).
any_scrapes(svc, port_name) if {
	some i in monitors_by_namespace[k8s.namespace(svc)]
	scrapes(monitors[i], svc, port_name)
}

any_scrapes(svc, port_name) if {
	some i in all_namespace_monitors
	scrapes(monitors[i], svc, port_name)
}

all_namespace_monitors := {i | some i, m in monitors; m.spec.namespaceSelector.any == true}

monitors_by_namespace[ns] contains i if {
	some i, m in monitors
	some ns in m.spec.namespaceSelector.matchNames
}

monitors_by_namespace[ns] contains i if {
	some i, m in monitors
	count(object.get(m.spec, ["namespaceSelector", "matchNames"], [])) == 0
	ns := k8s.namespace(m)
}
