package erlmcp.controls.net_mesh_edge_coherent_test

import data.erlmcp.controls.net_mesh_edge_coherent as control

resources(objects) := {"resources": objects}

pa(ns, name, spec) := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {"name": name, "namespace": ns},
	"spec": spec,
}

strict_ns := pa("shop", "default", {"mtls": {"mode": "STRICT"}})

web_template_meta := {"labels": {"app": "web"}}

web := workload("Deployment", web_template_meta)

workload(kind, template_meta) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {
		"metadata": template_meta,
		"spec": {"containers": [{
			"name": "web",
			"image": "web",
			"ports": [
				{"name": "http", "containerPort": 8080},
				{"name": "metrics", "containerPort": 9090},
				{"name": "dns", "containerPort": 5353, "protocol": "UDP"},
			],
		}]},
	}},
}

service(name, type, ports) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": name, "namespace": "shop", "labels": {"app": "web"}},
	"spec": {"type": type, "selector": {"app": "web"}, "ports": ports},
}

lb := service("web", "LoadBalancer", [{"name": "http", "port": 80, "targetPort": "http"}])

findings(objects) := {[v.details.messageId, v.details.resource.kind, v.details.resource.name, v.details.data.port] |
	some v in control.violation with input as resources(objects)
}

test_lb_to_strict_port_fails if {
	vs := control.violation with input as resources([strict_ns, web, lb])
	[[v.details.messageId, v.details.path, v.details.data] | some v in vs] == [[
		"strictBehindExternalService", ["spec", "ports", 0],
		{
			"service": "web", "serviceType": "LoadBalancer", "servicePort": "http", "port": 8080,
			"workload": "Deployment/web", "peerAuthentication": "shop/default",
		},
	]]
}

test_cluster_ip_is_no_concern if {
	count(findings([strict_ns, web, service("web", "ClusterIP", [{"port": 8080}])])) == 0
}

test_udp_port_is_not_mtls if {
	count(findings([strict_ns, web, service("web", "NodePort", [{"port": 53, "targetPort": "dns", "protocol": "UDP"}])])) == 0
}

test_service_port_without_name_or_target if {
	findings([strict_ns, web, service("web", "NodePort", [{"port": 8080}])]) == {["strictBehindExternalService", "Service", "web", 8080]}
	vs := control.violation with input as resources([strict_ns, web, service("web", "NodePort", [{"port": 8080}])])
	[v.details.data.servicePort | some v in vs] == ["8080"]
}

test_service_port_label_empty_without_port if {
	vs := control.violation with input as resources([strict_ns, web, service("web", "NodePort", [{"targetPort": 8080}])])
	[v.details.data.servicePort | some v in vs] == [""]
}

test_unknown_target_name_reaches_nothing if {
	count(findings([strict_ns, web, service("web", "NodePort", [{"port": 80, "targetPort": "nope"}])])) == 0
}

test_no_peer_authentication_is_permissive if {
	count(findings([web, lb])) == 0
}

test_mesh_wide_strict_applies if {
	mesh := pa("istio-system", "default", {"mtls": {"mode": "STRICT"}})
	count(findings([mesh, web, lb])) == 1
}

test_mesh_root_namespace_parameter if {
	mesh := pa("mesh", "default", {"mtls": {"mode": "STRICT"}})
	count(findings([mesh, web, lb])) == 0
	vs := control.violation with input as {"resources": [mesh, web, lb], "parameters": {"meshRootNamespace": "mesh"}}
	count(vs) == 1
}

test_mesh_policy_with_unset_mode_is_permissive if {
	mesh := pa("istio-system", "default", {"mtls": {"mode": "UNSET"}})
	count(findings([mesh, web, lb])) == 0
}

test_namespace_unset_inherits_mesh_strict if {
	mesh := pa("istio-system", "default", {"mtls": {"mode": "STRICT"}})
	ns := pa("shop", "default", {})
	count(findings([mesh, ns, web, lb])) == 1
}

test_namespace_permissive_overrides_mesh_strict if {
	mesh := pa("istio-system", "default", {"mtls": {"mode": "STRICT"}})
	ns := pa("shop", "default", {"mtls": {"mode": "PERMISSIVE"}})
	count(findings([mesh, ns, web, lb])) == 0
}

test_workload_port_exception if {
	w := pa("shop", "web", {"selector": {"matchLabels": {"app": "web"}}, "portLevelMtls": {"8080": {"mode": "PERMISSIVE"}}})
	count(findings([strict_ns, w, web, lb])) == 0
}

test_workload_port_exception_with_number_key if {
	w := pa("shop", "web", {"selector": {"matchLabels": {"app": "web"}}, "portLevelMtls": {8080: {"mode": "DISABLE"}}})
	count(findings([strict_ns, w, web, lb])) == 0
}

test_workload_port_level_unset_inherits_workload_mode if {
	w := pa("shop", "web", {"selector": {"matchLabels": {"app": "web"}}, "mtls": {"mode": "STRICT"}, "portLevelMtls": {"8080": {"mode": "UNSET"}}})
	ns := pa("shop", "default", {"mtls": {"mode": "PERMISSIVE"}})
	findings([ns, w, web, lb]) == {["strictBehindExternalService", "Service", "web", 8080]}
}

test_workload_without_mode_inherits_namespace if {
	w := pa("shop", "web", {"selector": {"matchLabels": {"app": "web"}}, "portLevelMtls": {"9090": {"mode": "PERMISSIVE"}}})
	findings([strict_ns, w, web, lb]) == {["strictBehindExternalService", "Service", "web", 8080]}
}

test_selector_policy_in_root_namespace_is_ignored if {
	mesh := pa("istio-system", "default", {"mtls": {"mode": "STRICT"}})
	exception := pa("istio-system", "web", {"selector": {"matchLabels": {"app": "web"}}, "mtls": {"mode": "PERMISSIVE"}})
	in_root := json.patch(web, [{"op": "replace", "path": "/metadata/namespace", "value": "istio-system"}])
	root_lb := json.patch(lb, [{"op": "replace", "path": "/metadata/namespace", "value": "istio-system"}])
	count(findings([mesh, exception, in_root, root_lb])) == 1
}

test_namespace_port_exception_is_ignored if {
	ns := pa("shop", "default", {"mtls": {"mode": "STRICT"}, "portLevelMtls": {"8080": {"mode": "PERMISSIVE"}}})
	count(findings([ns, web, lb])) == 1
}

test_policy_selecting_some_pods_only_does_not_decide if {
	one := workload("StatefulSet", web_template_meta)
	w := pa("shop", "web-0", {"selector": {"matchLabels": {"statefulset.kubernetes.io/pod-name": "web-0"}}, "mtls": {"mode": "PERMISSIVE"}})
	findings([strict_ns, w, one, lb]) == {["strictBehindExternalService", "Service", "web", 8080]}
}

# Istio keeps the oldest of two policies on one level; the manifests do not say which is older.
test_conflicting_policies_are_not_strict if {
	other := pa("shop", "other", {"mtls": {"mode": "PERMISSIVE"}})
	count(findings([strict_ns, other, web, lb])) == 0
}

test_two_strict_policies_name_both if {
	other := pa("shop", "other", {"mtls": {"mode": "STRICT"}})
	vs := control.violation with input as resources([strict_ns, other, web, lb])
	[v.details.data.peerAuthentication | some v in vs] == ["shop/default, shop/other"]
}

test_other_api_group_is_not_istio if {
	fake := object.union(strict_ns, {"apiVersion": "example.com/v1"})
	count(findings([fake, web, lb])) == 0
}

test_sidecar_opt_out_label if {
	out := workload("Deployment", {"labels": {"app": "web", "sidecar.istio.io/inject": "false"}})
	count(findings([strict_ns, out, lb])) == 0
}

test_sidecar_opt_out_annotation if {
	out := workload("Deployment", {"labels": {"app": "web"}, "annotations": {"sidecar.istio.io/inject": "false"}})
	count(findings([strict_ns, out, lb])) == 0
}

test_host_network_pods_have_no_sidecar if {
	host := json.patch(web, [{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": true}])
	count(findings([strict_ns, host, lb])) == 0
}

test_gateways_are_not_governed if {
	every meta in [
		{"labels": {"app": "web", "istio": "ingressgateway"}},
		{"labels": {"app": "web", "gateway.istio.io/managed": "istio.io-gateway-controller"}},
		{"labels": {"app": "web"}, "annotations": {"inject.istio.io/templates": "gateway"}},
	] {
		count(findings([strict_ns, workload("Deployment", meta), lb])) == 0
	}
}

test_non_string_templates_annotation_is_not_a_gateway if {
	meta := {"labels": {"app": "web"}, "annotations": {"inject.istio.io/templates": 1}}
	count(findings([strict_ns, workload("Deployment", meta), lb])) == 1
}

ingress(meta, spec) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": object.union({"name": "web", "namespace": "shop"}, meta),
	"spec": spec,
}

rule_to(port) := {"rules": [{"http": {"paths": [{"path": "/", "backend": {"service": {"name": "web", "port": port}}}]}}]}

cluster_ip := service("web", "ClusterIP", [{"name": "http", "port": 80, "targetPort": "http"}])

ingress_class(name, controller, is_default) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "IngressClass",
	"metadata": {"name": name, "annotations": {"ingressclass.kubernetes.io/is-default-class": is_default}},
	"spec": {"controller": controller},
}

test_nginx_ingress_by_port_name if {
	ing := ingress({}, object.union({"ingressClassName": "nginx"}, rule_to({"name": "http"})))
	vs := control.violation with input as resources([strict_ns, web, cluster_ip, ing])
	[[v.details.path, v.details.data.ingressClass, v.details.data.port] | some v in vs] == [[
		["spec", "rules", 0, "http", "paths", 0, "backend"], "nginx", 8080,
	]]
}

test_ingress_by_port_number_and_annotation if {
	ing := ingress({"annotations": {"kubernetes.io/ingress.class": "traefik"}}, rule_to({"number": 80}))
	findings([strict_ns, web, cluster_ip, ing]) == {["strictBehindIngress", "Ingress", "web", 8080]}
}

test_ingress_port_mismatch_reaches_nothing if {
	ing := ingress({}, rule_to({"number": 81}))
	count(findings([strict_ns, web, cluster_ip, ing])) == 0
}

test_ingress_without_class_or_default if {
	ing := ingress({}, {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}})
	vs := control.violation with input as resources([strict_ns, web, cluster_ip, ing])
	[v.details.data.ingressClass | some v in vs] == ["unset"]
}

test_istio_ingress_class_name if {
	ing := ingress({}, object.union({"ingressClassName": "istio"}, rule_to({"name": "http"})))
	count(findings([strict_ns, web, cluster_ip, ing])) == 0
}

test_istio_ingress_class_by_controller_as_default if {
	ing := ingress({}, rule_to({"name": "http"}))
	mesh_class := ingress_class("mesh", "istio.io/ingress-controller", "true")
	count(findings([strict_ns, web, cluster_ip, ing, mesh_class])) == 0
}

test_class_named_istio_of_another_controller if {
	ing := ingress({}, object.union({"ingressClassName": "istio"}, rule_to({"name": "http"})))
	impostor := ingress_class("istio", "k8s.io/ingress-nginx", "false")
	count(findings([strict_ns, web, cluster_ip, ing, impostor])) == 1
}

test_resource_backend_is_ignored if {
	ing := ingress({}, {"defaultBackend": {"resource": {"kind": "StorageBucket", "name": "static"}}})
	count(findings([strict_ns, web, cluster_ip, ing])) == 0
}

monitor(kind, ns, spec) := {
	"apiVersion": "monitoring.coreos.com/v1",
	"kind": kind,
	"metadata": {"name": "web", "namespace": ns},
	"spec": spec,
}

metrics_svc := service("web-metrics", "ClusterIP", [{"name": "metrics", "port": 9090, "targetPort": "metrics"}])

sm_spec(endpoint) := {"selector": {"matchLabels": {"app": "web"}}, "endpoints": [endpoint]}

test_service_monitor_plain_http if {
	vs := control.violation with input as resources([strict_ns, web, metrics_svc, monitor("ServiceMonitor", "shop", sm_spec({"port": "metrics"}))])
	[[v.details.path, v.details.data.monitorKind, v.details.data.port] | some v in vs] == [[["spec", "endpoints", 0], "ServiceMonitor", 9090]]
}

test_service_monitor_target_port if {
	m := monitor("ServiceMonitor", "shop", sm_spec({"targetPort": "metrics"}))
	findings([strict_ns, web, metrics_svc, m]) == {["strictScrapedWithoutMeshTls", "ServiceMonitor", "web", 9090]}
}

test_service_monitor_other_namespace if {
	m := object.union(monitor("ServiceMonitor", "monitoring", sm_spec({"port": "metrics"})), {"spec": {"namespaceSelector": {"matchNames": ["shop"]}}})
	count(findings([strict_ns, web, metrics_svc, m])) == 1
	anywhere := object.union(m, {"spec": {"namespaceSelector": {"any": true}}})
	count(findings([strict_ns, web, metrics_svc, anywhere])) == 1
	own := monitor("ServiceMonitor", "monitoring", sm_spec({"port": "metrics"}))
	count(findings([strict_ns, web, metrics_svc, own])) == 0
}

test_service_monitor_with_istio_cert_files if {
	tls := {"certFile": "/etc/prom-certs/cert-chain.pem", "keyFile": "/etc/prom-certs/key.pem", "insecureSkipVerify": true}
	m := monitor("ServiceMonitor", "shop", sm_spec({"port": "metrics", "scheme": "HTTPS", "tlsConfig": tls}))
	count(findings([strict_ns, web, metrics_svc, m])) == 0
	plain := monitor("ServiceMonitor", "shop", sm_spec({"port": "metrics", "scheme": "http", "tlsConfig": tls}))
	count(findings([strict_ns, web, metrics_svc, plain])) == 1
	elsewhere := {"certFile": "/tmp/cert.pem", "keyFile": "/tmp/key.pem"}
	other := monitor("ServiceMonitor", "shop", sm_spec({"port": "metrics", "scheme": "https", "tlsConfig": elsewhere}))
	count(findings([strict_ns, web, metrics_svc, other])) == 1
}

test_cert_dirs_parameter if {
	tls := {"certFile": "/certs/cert.pem", "keyFile": "/certs/key.pem"}
	m := monitor("ServiceMonitor", "shop", sm_spec({"port": "metrics", "scheme": "https", "tlsConfig": tls}))
	vs := control.violation with input as {"resources": [strict_ns, web, metrics_svc, m], "parameters": {"istioCertDirs": ["/certs/"]}}
	count(vs) == 0
}

test_non_string_scheme_is_not_https if {
	tls := {"cert": {"secret": {"name": "c", "key": "c"}}, "keySecret": {"name": "c", "key": "k"}}
	m := monitor("ServiceMonitor", "shop", sm_spec({"port": "metrics", "scheme": 1, "tlsConfig": tls}))
	count(findings([strict_ns, web, metrics_svc, m])) == 1
}

pm_spec(endpoint) := {"selector": {"matchLabels": {"app": "web"}}, "podMetricsEndpoints": [endpoint]}

test_pod_monitor_ports if {
	every endpoint in [{"port": "metrics"}, {"portNumber": 9090}, {"targetPort": 9090}, {"targetPort": "metrics"}] {
		findings([strict_ns, web, monitor("PodMonitor", "shop", pm_spec(endpoint))]) == {["strictScrapedWithoutMeshTls", "PodMonitor", "web", 9090]}
	}
}

test_pod_monitor_with_secret_client_cert if {
	tls := {"cert": {"secret": {"name": "c", "key": "c"}}, "keySecret": {"name": "c", "key": "k"}}
	count(findings([strict_ns, web, monitor("PodMonitor", "shop", pm_spec({"port": "metrics", "scheme": "https", "tlsConfig": tls}))])) == 0
}

test_pod_monitor_selecting_other_pods if {
	m := monitor("PodMonitor", "shop", {"selector": {"matchLabels": {"app": "db"}}, "podMetricsEndpoints": [{"port": "metrics"}]})
	count(findings([strict_ns, web, m])) == 0
}

test_monitor_of_other_api_version_is_ignored if {
	m := object.union(monitor("PodMonitor", "shop", pm_spec({"port": "metrics"})), {"apiVersion": "monitoring.coreos.com/v1alpha1"})
	count(findings([strict_ns, web, m])) == 0
}
