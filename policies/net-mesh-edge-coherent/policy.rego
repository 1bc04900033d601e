# net-mesh-edge-coherent: set scope. A pod port where Istio enforces STRICT mTLS must not be reached by a
# client outside the mesh: a LoadBalancer/NodePort Service, a non-Istio Ingress, a Prometheus scrape
# without Istio's certificates. Mirrors src/validators/net-mesh-edge-coherent.ts (with src/k8s/mesh-modes.ts
# and src/k8s/mesh-edge-clients.ts).
package erlmcp.controls.net_mesh_edge_coherent

import data.lib.istio
import data.lib.k8s
import data.lib.net
import data.lib.violation

control_id := "net-mesh-edge-coherent"

mesh_root_namespace := object.get(input, ["parameters", "meshRootNamespace"], "istio-system")

istio_cert_dirs := object.get(input, ["parameters", "istioCertDirs"], ["/etc/prom-certs/", "/etc/istio-certs/"])

# --- The effective mTLS mode of a container port (Istio's precedence) ---

peer_authentications := [pa |
	some pa in input.resources
	pa.kind == "PeerAuthentication"
	startswith(object.get(pa, "apiVersion", ""), "security.istio.io/")
]

selector_labels(pa) := object.get(pa, ["spec", "selector", "matchLabels"], {})

has_selector(pa) if count(selector_labels(pa)) > 0

# Indexes by namespace (positions in the lists), read whole (object.get) so that each is built once:
# a lookup `index[ns]` would evaluate the rule body again for every key.
peer_authentications_in[ns] contains i if {
	some i, pa in peer_authentications
	ns := k8s.namespace(pa)
}

namespace_wide(ns) := [pa |
	some i in object.get(peer_authentications_in, ns, set())
	pa := peer_authentications[i]
	not has_selector(pa)
]

# Istio's WorkloadSelector has matchLabels only; a policy counts when it selects every pod of the workload.
# Istio ignores a policy with a selector in the root namespace.
workload_level(w) := [pa |
	k8s.namespace(w) != mesh_root_namespace
	some i in object.get(peer_authentications_in, k8s.namespace(w), set())
	reqs := selector_requirements[i]
	pa := peer_authentications[i]
	k8s.requirements_select_all_pods(reqs, w)
]

# The requirements of the selector of each policy with one (by position), built once; none for an
# invalid selector, which selects nothing.
selector_requirements := {i: reqs |
	some i, pa in peer_authentications
	has_selector(pa)
	reqs := k8s.selector_requirements({"matchLabels": selector_labels(pa)})
}

# A mode that decides (UNSET or a missing mode inherits from the level above).
deciding(mode) if {
	is_string(mode)
	mode != "UNSET"
}

pa_ref(pa) := concat("/", [k8s.namespace(pa), k8s.name(pa)])

# The outcomes of a level: [mode, policy] for each policy that sets a mode, plus the level above's when
# one of them leaves it unset. Istio keeps the oldest of several policies; the manifests do not say which.
mesh_outcomes := {["PERMISSIVE", ""]} if {
	count(namespace_wide(mesh_root_namespace)) == 0
} else := {o |
	some pa in namespace_wide(mesh_root_namespace)
	some o in own_or(pa, object.get(pa, ["spec", "mtls", "mode"], null), {["PERMISSIVE", ""]})
}

namespace_outcomes(ns) := mesh_outcomes if {
	count(namespace_wide(ns)) == 0
} else := {o |
	some pa in namespace_wide(ns)
	some o in own_or(pa, object.get(pa, ["spec", "mtls", "mode"], null), mesh_outcomes)
}

# The outcomes of each namespace with a workload, computed once per namespace.
namespace_outcomes_in := {ns: namespace_outcomes(ns) | some ns in {k8s.namespace(w) | some w in workloads}}

own_or(pa, mode, _) := {[mode, pa_ref(pa)]} if deciding(mode)

own_or(_, mode, inherited) := inherited if not deciding(mode)

# The outcomes of a port of a workload in namespace ns whose workload-level policies are `level`, the
# port named by `key` (a container port number as a string; null for a port no portLevelMtls entry names).
port_outcomes(ns, level, key) := namespace_outcomes_in[ns] if {
	count(level) == 0
} else := {o |
	some pa in level
	some o in workload_outcomes(pa, key, namespace_outcomes_in[ns])
}

# The policy's entry for the port, else its own mode, else the namespace's (portLevelMtls needs a selector).
workload_outcomes(pa, key, inherited) := {[mode, pa_ref(pa)]} if {
	mode := port_level_mode(pa, key)
	deciding(mode)
} else := own_or(pa, object.get(pa, ["spec", "mtls", "mode"], null), inherited)

# portLevelMtls keys are container port numbers (YAML may give them as numbers or strings).
port_level_mode(pa, key) := setting.mode if {
	some k, setting in object.get(pa, ["spec", "portLevelMtls"], {})
	port_key(k) == key
	is_object(setting)
}

port_key(key) := key if is_string(key)

port_key(key) := format_int(key, 10) if is_number(key)

# The port keys the portLevelMtls of the workload-level policies name.
level_port_keys(level) := {port_key(k) |
	some pa in level
	some k, _ in object.get(pa, ["spec", "portLevelMtls"], {})
}

# The policies that make a port STRICT, when every possible outcome is STRICT; else null.
verdict(outcomes) := concat(", ", sort([ref | some [_, ref] in outcomes])) if {
	every o in outcomes {
		o[0] == "STRICT"
	}
} else := null

# The verdict of every port of every workload in the mesh (by position), computed once per workload:
# "default" for a port no portLevelMtls entry names, "ports" for those named.
strictness := {wi: workload_strictness(k8s.namespace(w), workload_level(w)) |
	some wi, w in workloads
	in_mesh(w)
}

# A workload without workload-level policies has its namespace's verdicts (computed once per namespace).
workload_strictness(ns, level) := namespace_strictness[ns] if {
	count(level) == 0
} else := {
	"default": verdict(port_outcomes(ns, level, null)),
	"ports": {key: verdict(port_outcomes(ns, level, key)) | some key in level_port_keys(level)},
}

namespace_strictness := {ns: {"default": verdict(outcomes), "ports": {}} | some ns, outcomes in namespace_outcomes_in}

# The workloads (by position) with a port that may be STRICT (no other gives a finding).
strict_workloads := {wi |
	some wi, t in strictness
	some v in array.concat([t.default], [v | some v in t.ports])
	v != null
}

# The same by namespace.
strict_workloads_in[ns] contains wi if {
	some wi in strict_workloads
	ns := k8s.namespace(workloads[wi])
}

# The policies that make the container port of workload wi STRICT.
strict_by(wi, port) := pas if {
	t := strictness[wi]
	pas := object.get(t.ports, format_int(port, 10), t.default)
	pas != null
}

# --- Pods in the mesh (a sidecar whose inbound PeerAuthentication governs) ---

# Injection as lib.istio decides it; a namespace without its object in the set counts as labelled
# istio-injection=enabled (a chart that ships a PeerAuthentication expects the mesh around it).
in_mesh(w) if {
	template := k8s.pod_template(w)
	namespace := k8s.namespace(w)
	istio.injected_by(template, namespace, istio.namespace_label_maps(namespace, istio.absent_namespace_injecting))
	not istio_gateway(template)
}

# The pod template (of a workload) is an Istio gateway's.
istio_gateway(template) if template.metadata.labels.istio in gateway_istio_labels

istio_gateway(template) if k8s.has_key(template.metadata.labels, "gateway.istio.io/managed")

istio_gateway(template) if {
	templates := template.metadata.annotations["inject.istio.io/templates"]
	is_string(templates)
	contains(templates, "gateway")
}

gateway_istio_labels := {"ingressgateway", "egressgateway"}

# --- Services and the container ports they reach ---

workloads := [w | some w in input.resources; k8s.is_workload(w)]

services := [s | some s in input.resources; s.kind == "Service"]

all_namespaces := {k8s.namespace(r) | some r in input.resources}

services_in[ns] contains i if {
	some i, s in services
	ns := k8s.namespace(s)
}

workload_name(w) := concat("/", [w.kind, k8s.name(w)])

# A Service's selector with its namespace: Services alike select alike.
selector_key(svc) := [k8s.namespace(svc), object.get(svc, ["spec", "selector"], {})]

service_selector_keys := {selector_key(svc) | some svc in services}

# The workloads with a port that may be STRICT (no other gives a finding) each distinct Service selector
# selects (by position), computed once per selector.
selector_selects := {key: ids |
	some key in service_selector_keys
	ids := [j |
		some j in object.get(strict_workloads_in, key[0], set())
		k8s.map_selector_matches(key[1], k8s.pod_labels(workloads[j]))
	]
}

# The port a Service port reaches on the pods: its targetPort (unset = port), a number or a name.
port_ref(sp) := object.get(sp, "targetPort", object.get(sp, "port", null))

# The STRICT container ports [workload, port, policies] each distinct pair of a Service
# selector and TCP Service port reference reaches, computed once per pair (a pair whose selector
# selects no such workload has none): a client of the Service then reads only its findings.
strict_targets := {[key, ref]: hits |
	some [key, ref] in {[selector_key(svc), port_ref(sp)] |
		some svc in services
		some sp in object.get(svc, ["spec", "ports"], [])
		net.protocol(sp) == "TCP"
	}
	count(selector_selects[key]) > 0
	hits := {[workload_name(workloads[wi]), port, pas] |
		some wi in selector_selects[key]
		some port in resolve_port(ref, wi)
		pas := strict_by(wi, port)
	}
}

# The TCP container ports [name, number] of each workload with a port that may be STRICT (by
# position), computed once per workload: as lib.net named_port reads them, over all containers
# (those of k8s.all_containers, read in place).
workload_tcp_ports := {wi: ports |
	some wi in strict_workloads
	spec := k8s.pod_spec(workloads[wi])
	ports := [[p.name, p.containerPort] |
		some field in ["containers", "initContainers", "ephemeralContainers"]
		list := object.get(spec, field, [])
		is_array(list)
		some c in list
		is_object(c)
		some p in object.get(c, "ports", [])
		is_number(p.containerPort)
		object.get(p, "protocol", "TCP") == "TCP"
	]
}

resolve_port(p, _) := {p} if is_number(p)

resolve_port(p, wi) := {n | some [name, n] in workload_tcp_ports[wi]; name == p} if is_string(p)

service_port_label(sp) := sp.name if {
	is_string(sp.name)
	sp.name != ""
} else := format_int(sp.port, 10) if is_number(sp.port)

else := ""

# --- (1) LoadBalancer and NodePort Services ---

violation contains violation.at(control_id, "strictBehindExternalService", svc, ["spec", "ports", i], {
	"service": k8s.name(svc), "serviceType": svc.spec.type, "servicePort": service_port_label(sp),
	"port": port, "workload": workload, "peerAuthentication": pas,
}) if {
	some svc in services
	svc.spec.type in {"LoadBalancer", "NodePort"}
	some i, sp in object.get(svc, ["spec", "ports"], [])
	net.protocol(sp) == "TCP"
	some [workload, port, pas] in strict_targets[[selector_key(svc), port_ref(sp)]]
}

# --- (2) Ingress backends of a non-Istio ingress controller ---

ingress_classes := [c | some c in input.resources; c.kind == "IngressClass"]

ingress_class_names := {k8s.name(c) | some c in ingress_classes}

istio_ingress_class_names := {k8s.name(c) |
	some c in ingress_classes
	object.get(c, ["spec", "controller"], "") == "istio.io/ingress-controller"
}

ingress_class(ing) := ing.spec.ingressClassName if {
	is_string(ing.spec.ingressClassName)
} else := cls if {
	cls := object.get(ing, ["metadata", "annotations", "kubernetes.io/ingress.class"], null)
	is_string(cls)
} else := sort(defaults)[0] if {
	defaults := [k8s.name(c) |
		some c in ingress_classes
		object.get(c, ["metadata", "annotations", "ingressclass.kubernetes.io/is-default-class"], "") == "true"
	]
	count(defaults) > 0
} else := ""

istio_ingress(ing) if ingress_class(ing) in istio_ingress_class_names

istio_ingress(ing) if {
	ingress_class(ing) == "istio"
	not "istio" in ingress_class_names
}

ingress_backends(ing) := array.concat(
	[[["spec", "defaultBackend"], b] | b := ing.spec.defaultBackend],
	[[["spec", "rules", i, "http", "paths", j, "backend"], p.backend] |
		some i, rule in object.get(ing, ["spec", "rules"], [])
		some j, p in object.get(rule, ["http", "paths"], [])
	],
)

backend_service_ports(svc, ref) := [sp |
	some sp in object.get(svc, ["spec", "ports"], [])
	backend_names_port(ref, sp)
]

backend_names_port(ref, sp) if {
	is_number(ref.number)
	ref.number == sp.port
}

backend_names_port(ref, sp) if {
	is_string(ref.name)
	ref.name == sp.name
}

violation contains violation.at(control_id, "strictBehindIngress", ing, path, {
	"ingress": k8s.name(ing), "ingressClass": class_label(ing), "service": svc_name,
	"servicePort": service_port_label(sp), "port": port, "workload": workload, "peerAuthentication": pas,
}) if {
	some ing in input.resources
	ing.kind == "Ingress"
	not istio_ingress(ing)
	some [path, backend] in ingress_backends(ing)
	svc_name := backend.service.name
	some j in object.get(services_in, k8s.namespace(ing), set())
	svc := services[j]
	k8s.name(svc) == svc_name
	some sp in backend_service_ports(svc, object.get(backend, ["service", "port"], {}))
	net.protocol(sp) == "TCP"
	some [workload, port, pas] in strict_targets[[selector_key(svc), port_ref(sp)]]
}

class_label(ing) := cls if {
	cls := ingress_class(ing)
	cls != ""
} else := "unset"

# --- (3) Prometheus scrapes without Istio's client certificate ---

monitors := [m |
	some m in input.resources
	m.kind in {"ServiceMonitor", "PodMonitor"}
	m.apiVersion == "monitoring.coreos.com/v1"
]

# The namespaces a monitor covers: `any: true` (every namespace of the set), its `matchNames`, else its own.
covered_namespaces(m) := all_namespaces if {
	m.spec.namespaceSelector.any == true
} else := {ns | some ns in m.spec.namespaceSelector.matchNames} if {
	count(object.get(m.spec, ["namespaceSelector", "matchNames"], [])) > 0
} else := {k8s.namespace(m)}

endpoints_field := {"ServiceMonitor": "endpoints", "PodMonitor": "podMetricsEndpoints"}

scheme_https(ep) if {
	scheme := object.get(ep, "scheme", "")
	is_string(scheme)
	lower(scheme) == "https"
}

mesh_tls(ep) if {
	scheme_https(ep)
	cfg := ep.tlsConfig
	istio_cert_file(cfg.certFile)
	istio_cert_file(cfg.keyFile)
}

mesh_tls(ep) if {
	scheme_https(ep)
	is_object(ep.tlsConfig.cert)
	is_object(ep.tlsConfig.keySecret)
}

istio_cert_file(f) if {
	is_string(f)
	some dir in istio_cert_dirs
	startswith(f, dir)
}

# The workloads and container ports an endpoint of monitor mi scrapes, through the Services it selects.
scraped(mi, m, ep) := {[wi, port] |
	some [key, ref] in service_monitor_refs(mi, ep)
	some wi in selector_selects[key]
	some port in resolve_port(ref, wi)
} if m.kind == "ServiceMonitor"

scraped(_, m, ep) := {[wi, port] |
	some ns in covered_namespaces(m)
	some wi in object.get(strict_workloads_in, ns, set())
	k8s.may_select_pods(m.spec.selector, workloads[wi])
	some port in pod_monitor_ports(ep, wi)
} if m.kind == "PodMonitor"

# The Services each ServiceMonitor (by position) selects in the namespaces it covers, computed once
# per monitor (its selector's requirements once); none for an invalid selector.
monitored_services := {mi: svcs |
	some mi, m in monitors
	m.kind == "ServiceMonitor"
	reqs := k8s.selector_requirements(m.spec.selector)
	svcs := [svc |
		some ns in covered_namespaces(m)
		some i in object.get(services_in, ns, set())
		svc := services[i]
		k8s.requirements_hold(reqs, k8s.labels(svc))
	]
}

# The selectors of the Services an endpoint scrapes, each with the port reference (a number or a
# container port name) it reaches them on, each pair once: the TCP Service ports named by `port`
# (their targetPort, unset = port), else the endpoint's targetPort.
service_monitor_refs(mi, ep) := {[selector_key(svc), ref] |
	some svc in object.get(monitored_services, mi, [])
	some sp in object.get(svc, ["spec", "ports"], [])
	sp.name == ep.port
	net.protocol(sp) == "TCP"
	ref := object.get(sp, "targetPort", object.get(sp, "port", null))
} if is_string(ep.port)

service_monitor_refs(mi, ep) := {[selector_key(svc), ep.targetPort] |
	some svc in object.get(monitored_services, mi, [])
} if not is_string(object.get(ep, "port", null))

pod_monitor_ports(ep, wi) := resolve_port(ep.port, wi) if is_string(ep.port)

pod_monitor_ports(ep, _) := {ep.portNumber} if {
	not is_string(object.get(ep, "port", null))
	is_number(ep.portNumber)
}

pod_monitor_ports(ep, wi) := resolve_port(ep.targetPort, wi) if {
	not is_string(object.get(ep, "port", null))
	not is_number(object.get(ep, "portNumber", null))
}

violation contains violation.at(control_id, "strictScrapedWithoutMeshTls", m, ["spec", field, i], {
	"monitorKind": m.kind, "monitor": k8s.name(m), "port": port, "workload": workload, "peerAuthentication": pas,
}) if {
	some mi, m in monitors
	field := endpoints_field[m.kind]
	some i, ep in object.get(m, ["spec", field], [])
	not mesh_tls(ep)
	some [workload, port, pas] in scraped_strict(mi, m, ep)
}

# The STRICT ports an endpoint scrapes, [workload, port, policies], each once.
scraped_strict(mi, m, ep) := {[workload_name(workloads[wi]), port, pas] |
	some [wi, port] in scraped(mi, m, ep)
	pas := strict_by(wi, port)
}
