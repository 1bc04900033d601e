# Shared helpers for all controls: identity, workloads, pod templates, selectors.
# Gatekeeper requires library packages under `lib.`; only builtins listed in
# policies/capabilities.json may be used (the opa-wasm SDK implements no others).
package lib.k8s

import data.lib.kinds

# The kinds with a pod template (alias `workloads` of policies/_kinds.yaml).
workload_kinds := kinds.workloads

# A workload carries a pod template: a kind of the `workloads` alias, or an object of any other kind
# (a custom resource) with a pod template at a generic path. Mirrors isWorkload in src/k8s/workloads.ts.
is_workload(obj) if workload_kinds[obj.kind]

is_workload(obj) if generic_pod_template(obj)

namespace(obj) := ns if {
	ns := obj.metadata.namespace
} else := ""

name(obj) := object.get(obj, ["metadata", "name"], "")

# The resource reference every violation carries.
ref(obj) := {
	"apiVersion": object.get(obj, "apiVersion", ""),
	"kind": object.get(obj, "kind", ""),
	"namespace": namespace(obj),
	"name": name(obj),
}

labels(obj) := object.get(obj, ["metadata", "labels"], {})

# The pod template (metadata + spec) of a workload, one definition in policies/_kinds.yaml: at the
# path its kind declares (a Pod is its own template), else at the first generic path that holds
# containers. Undefined for an object without one. Mirrors podTemplate in src/k8s/workloads.ts.
pod_template(obj) := t if {
	path := kinds.pod_template_paths[obj.kind]
	t := object.get(obj, path, null)
	is_object(t)
} else := generic_pod_template(obj)

# The pod template of an object whose kind declares no path: the first generic path whose value has
# a non-empty list of containers (policies/_kinds.yaml genericPodTemplate).
generic_pod_template(obj) := object.get(obj, kinds.generic_pod_template_paths[first], null) if {
	# object.get: an object without a kind has no declared path either.
	not kinds.pod_template_paths[object.get(obj, "kind", null)]
	holding := [i |
		some i, path in kinds.generic_pod_template_paths
		holds_containers(object.get(obj, path, null))
	]
	first := holding[0]
}

holds_containers(template) if {
	is_object(template)
	some field in kinds.generic_pod_template_container_fields
	list := object.get(template, ["spec", field], null)
	is_array(list)
	count(list) > 0
}

pod_spec(obj) := object.get(pod_template(obj), "spec", {})

pod_labels(obj) := object.get(pod_template(obj), ["metadata", "labels"], {})

# Main containers only.
main_containers(obj) := object.get(pod_spec(obj), "containers", [])

# containers + initContainers + ephemeralContainers, each with the field it came from (lists of
# mappings only, as allContainers in src/k8s/workloads.ts).
all_containers(obj) := [c |
	some field in ["containers", "initContainers", "ephemeralContainers"]
	list := object.get(pod_spec(obj), field, [])
	is_array(list)
	some c0 in list
	is_object(c0)
	c := object.union(c0, {"__field": field})
]

# Declared replicas (1 when unset; Pods, Jobs and CronJobs count as 1; DaemonSets as 2: one per node).
replicas(obj) := 2 if {
	obj.kind == "DaemonSet"
} else := 1 if {
	obj.kind in {"Pod", "Job", "CronJob"}
} else := object.get(obj, ["spec", "replicas"], 1)

# Label selector semantics of metav1.LabelSelector (matchLabels AND matchExpressions).
# An empty selector {} matches everything.
selector_matches(selector, lbls) if {
	every k, v in object.get(selector, "matchLabels", {}) {
		lbls[k] == v
	}
	every expr in object.get(selector, "matchExpressions", []) {
		expression_matches(expr, lbls)
	}
}

expression_matches(expr, lbls) if {
	expr.operator == "In"
	lbls[expr.key] in expr.values
}

expression_matches(expr, lbls) if {
	expr.operator == "NotIn"
	not lbls[expr.key] in expr.values
}

expression_matches(expr, lbls) if {
	expr.operator == "Exists"
	_ = lbls[expr.key]
}

expression_matches(expr, lbls) if {
	expr.operator == "DoesNotExist"
	not has_key(lbls, expr.key)
}

# A Service-style selector (plain map); an empty or missing map selects nothing.
map_selector_matches(sel, lbls) if {
	count(sel) > 0
	every k, v in sel {
		lbls[k] == v
	}
}

has_key(obj, key) if _ = obj[key]

# Erlang node workload, as defined in CONTROLS.md.
erlang_port_names := {"epmd", "dist", "erlang-dist"}

erlang_env_names := {"RELEASE_COOKIE", "ERLANG_COOKIE", "RELEASE_DISTRIBUTION"}

is_erlang_node(obj) if {
	is_workload(obj)
	some c in all_containers(obj)
	container_is_erlang(c)
}

container_is_erlang(c) if {
	some p in object.get(c, "ports", [])
	p.containerPort == 4369
}

container_is_erlang(c) if {
	some p in object.get(c, "ports", [])
	erlang_port_names[p.name]
}

container_is_erlang(c) if {
	some e in object.get(c, "env", [])
	erlang_env_names[e.name]
}

container_is_erlang(c) if {
	some e in object.get(c, "env", [])
	e.name in {"ERL_FLAGS", "ERL_AFLAGS"}
	regex.match(`(^|\s)-s?name(\s|$)`, object.get(e, "value", ""))
}
