# Shared helpers for all controls: identity, workloads, pod templates, selectors.
# Gatekeeper requires library packages under `lib.`; only builtins listed in
# policies/capabilities.json may be used (the opa-wasm SDK implements no others).
package lib.k8s

import data.lib.kinds

# The kinds with a pod template (alias `workloads` of policies/_kinds.yaml).
workload_kinds := kinds.workloads

# A workload carries a pod template: a kind of the `workloads` alias, or an object of any other kind
# (a custom resource) with a pod template at a generic path. Mirrors isWorkload in src/k8s/workloads.ts.
is_workload(obj) if {
	workload_kinds[obj.kind]
} else if generic_pod_template_path(obj)

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

# The object under review as the API server stores it (without_nulls). The in-process engine passes
# `input.review.nullFree: true` only with an object it has checked holds no null-valued key (objects are
# read with nulls stripped: src/k8s/strip-nulls.ts), sparing a walk of the whole object that was 40% of
# sec-no-literal-credentials; Gatekeeper, gator and conftest hand over objects as written, without it.
reviewed_object := input.review.object if input.review.nullFree == true

else := without_nulls(input.review.object)

# JSON null is unset: the object without its null-valued keys, at any depth (list items stay in place),
# as the API server stores it. Note that object.get(x, k, d) returns null, not d, for a key that holds null.
without_nulls(x) := json.remove(x, [[segment_text(s) | some s in path] |
	walk(x, [path, value])
	value == null
	count(path) > 0
	is_string(path[count(path) - 1])
])

# json.remove reaches into a list only through a path segment written as text.
segment_text(s) := format_int(s, 10) if is_number(s)

segment_text(s) := s if is_string(s)

# The pod template (metadata + spec) of a workload, one definition in policies/_kinds.yaml: at the
# path its kind declares (a Pod is its own template), else at the first generic path that holds
# containers. Undefined for an object without one. Mirrors podTemplate in src/k8s/workloads.ts.
pod_template(obj) := object.get(obj, pod_template_path(obj), null)

# The path of keys of the pod template: at the kind's declared path, else the first generic path that
# holds containers. Undefined for an object without one. Mirrors podTemplatePath in src/k8s/workloads.ts.
pod_template_path(obj) := path if {
	path := kinds.pod_template_paths[obj.kind]
	is_object(object.get(obj, path, null))
} else := generic_pod_template_path(obj)

# The pod template of an object whose kind declares no path: the first generic path whose value has
# a non-empty list of containers (policies/_kinds.yaml genericPodTemplate).
generic_pod_template_path(obj) := kinds.generic_pod_template_paths[first] if {
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

# The path of the pod spec (a JSON path as an array of keys and indexes); for violations.
pod_spec_path(obj) := array.concat(pod_template_path(obj), ["spec"])

pod_labels(obj) := object.get(pod_template(obj), ["metadata", "labels"], {})

# Main containers only.
main_containers(obj) := object.get(pod_spec(obj), "containers", [])

# containers + initContainers + ephemeralContainers, each with the field it came from (`__field`) and
# its path in the object (`__path`, for violations), lists of mappings only, as allContainers in
# src/k8s/workloads.ts.
# The template's path and spec are read once (the wasm target computes a function again on every call).
all_containers(obj) := [c |
	template_path := pod_template_path(obj)
	spec := object.get(object.get(obj, template_path, null), "spec", {})
	some field in ["containers", "initContainers", "ephemeralContainers"]
	list := object.get(spec, field, [])
	is_array(list)
	some i, c0 in list
	is_object(c0)
	c := object.union(c0, {"__field": field, "__path": array.concat(template_path, ["spec", field, i])})
]

# Every pod spec the object carries, as [path of the spec, spec]. A kind whose declared path holds its pod
# template (a Deployment, a Pod) carries that one. Any other object (a custom resource, whatever its kind:
# a Volcano `batch.volcano.sh` Job is no batch Job) carries every mapping outside its metadata that holds
# a `containers` list, each a pod spec its operator may run: a FlinkDeployment's spec.podTemplate and its
# spec.taskManager.podTemplate, a Volcano Job's spec.tasks[i].template. The type check reads the same
# mappings as core/v1 PodSpec (embeddedPodSpecs in src/k8s/schema/validate.ts).
pod_specs(obj) := [[spec_path, object.get(obj, spec_path, {})]] if {
	path := kinds.pod_template_paths[obj.kind]
	is_object(object.get(obj, path, null))
	spec_path := array.concat(path, ["spec"])
} else := [[path, spec] |
	walk(obj, [path, spec])
	is_object(spec)
	is_array(object.get(spec, "containers", null))
	not outside_pod_specs(path)
]

outside_pod_specs(path) if path[0] == "metadata"

# containers + initContainers + ephemeralContainers of every pod spec of pod_specs(obj), as all_containers
# gives them, each with the index of its pod spec in that list (`__pod`).
pod_specs_containers(specs) := [c |
	some j, [path, spec] in specs
	some field in ["containers", "initContainers", "ephemeralContainers"]
	list := object.get(spec, field, [])
	is_array(list)
	some i, c0 in list
	is_object(c0)
	c := object.union(c0, {"__field": field, "__path": array.concat(path, [field, i]), "__pod": j})
]

# Declared replicas (1 when unset; Pods, Jobs and CronJobs count as 1; DaemonSets as 2: one per node).
replicas(obj) := 2 if {
	obj.kind == "DaemonSet"
} else := 1 if {
	obj.kind in {"Pod", "Job", "CronJob"}
} else := object.get(obj, ["spec", "replicas"], 1)

# The sizes a workload can take, [lowest, highest] (CONTROLS.md Semantics, "Size"): from the lowest
# minimum to the highest maximum of the HPAs and KEDA ScaledObjects of the set that target it, else its
# declared replicas (unset = 1). Sizes below 1 count as 1. Mirrors sizeRange in src/k8s/workloads.ts.
size_range(w, resources) := [min({r[0] | some r in ranges}), max({r[1] | some r in ranges})] if {
	ranges := [r | some s in resources; r := scaler_range(s, w)]
	count(ranges) > 0
} else := [replicas(w), replicas(w)]

scaler_range(s, w) := clamp_range(object.get(s, ["spec", "minReplicas"], 1), object.get(s, ["spec", "maxReplicas"], 0)) if {
	s.kind == "HorizontalPodAutoscaler"
	startswith(object.get(s, "apiVersion", ""), "autoscaling/")
	scales(s, w, object.get(s, ["spec", "scaleTargetRef", "kind"], null))
}

scaler_range(s, w) := clamp_range(object.get(s, ["spec", "minReplicaCount"], 0), object.get(s, ["spec", "maxReplicaCount"], 100)) if {
	s.kind == "ScaledObject"
	startswith(object.get(s, "apiVersion", ""), "keda.sh/")
	scales(s, w, object.get(s, ["spec", "scaleTargetRef", "kind"], "Deployment"))
}

scales(s, w, kind) if {
	kind == w.kind
	object.get(s, ["spec", "scaleTargetRef", "name"], null) == name(w)
	namespace(s) == namespace(w)
}

clamp_range(lo, hi) := [low, max({low, hi})] if low := max({1, lo})

# Label selector semantics of metav1.LabelSelector, mirrored by src/k8s/selectors.ts: matchLabels
# entries are In requirements with one value, ANDed with matchExpressions. An empty selector {}
# matches everything; a missing one, or one the API server rejects (In/NotIn without values,
# Exists/DoesNotExist with values, an unknown operator, a non-string key or value, a field of the
# wrong type), matches nothing: the object holding it is never admitted.
selector_matches(selector, lbls) if requirements_hold(selector_requirements(selector), lbls)

# The same from the requirements of a valid selector (for a caller that builds them once: the wasm
# target would build them again on every selector_matches call).
requirements_hold(reqs, lbls) if {
	every r in reqs {
		requirement_holds(r, lbls)
	}
}

# The requirements of a valid selector (matchLabels as In with one value); undefined when invalid.
selector_requirements(selector) := array.concat(from_labels, from_expressions) if {
	is_object(selector)
	ml := object.get(selector, "matchLabels", {})
	me := object.get(selector, "matchExpressions", [])
	is_object(ml)
	is_array(me)
	every k, v in ml {
		is_string(k)
		is_string(v)
	}
	every e in me {
		valid_requirement(e)
	}
	from_labels := [{"key": k, "operator": "In", "values": [v]} | some k, v in ml]
	from_expressions := [{"key": e.key, "operator": e.operator, "values": object.get(e, "values", [])} | some e in me]
}

valid_requirement(e) if {
	requirement_values_valid(e)
	e.operator in {"In", "NotIn"}
	count(object.get(e, "values", [])) > 0
}

valid_requirement(e) if {
	requirement_values_valid(e)
	e.operator in {"Exists", "DoesNotExist"}
	count(object.get(e, "values", [])) == 0
}

requirement_values_valid(e) if {
	is_object(e)
	is_string(e.key)
	vs := object.get(e, "values", [])
	is_array(vs)
	every v in vs {
		is_string(v)
	}
}

requirement_holds(r, lbls) if {
	r.operator == "In"
	lbls[r.key] in r.values
}

requirement_holds(r, lbls) if {
	r.operator == "NotIn"
	not value_listed(r, lbls)
}

requirement_holds(r, lbls) if {
	r.operator == "Exists"
	has_key(lbls, r.key)
}

requirement_holds(r, lbls) if {
	r.operator == "DoesNotExist"
	not has_key(lbls, r.key)
}

value_listed(r, lbls) if lbls[r.key] in r.values

# A Service-style selector (plain map of strings); an empty, missing or invalid map selects nothing.
map_selector_matches(sel, lbls) if {
	is_object(sel)
	count(sel) > 0
	every k, v in sel {
		is_string(v)
		lbls[k] == v
	}
}

# Label keys a controller adds to (or overwrites on) the pods it creates, with values a manifest
# cannot know. Mirrors CONTROLLER_POD_LABEL_KEYS in src/k8s/selectors.ts.
job_pod_label_keys := {
	"controller-uid", "job-name", "batch.kubernetes.io/controller-uid",
	"batch.kubernetes.io/job-name", "batch.kubernetes.io/job-completion-index",
}

controller_pod_label_keys := {
	"Deployment": {"pod-template-hash"},
	"StatefulSet": {"controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"},
	"DaemonSet": {"controller-revision-hash", "pod-template-generation"},
	"Job": job_pod_label_keys,
	"CronJob": job_pod_label_keys,
	"Rollout": {"rollouts-pod-template-hash"},
}

controller_keys(w) := object.get(controller_pod_label_keys, object.get(w, "kind", ""), set())

# The selector matches every pod the workload creates, whatever values its controller gives the
# keys it sets (only Exists holds for all of them). Sound for "covers the workload".
selects_all_pods(selector, w) if requirements_select_all_pods(selector_requirements(selector), w)

# The same from the requirements of a valid selector (for a caller that builds them once).
requirements_select_all_pods(reqs, w) if {
	managed := controller_keys(w)
	lbls := pod_labels(w)
	every r in reqs {
		all_pods_requirement(r, managed, lbls)
	}
}

all_pods_requirement(r, managed, _) if {
	managed[r.key]
	r.operator == "Exists"
}

all_pods_requirement(r, managed, lbls) if {
	not managed[r.key]
	requirement_holds(r, lbls)
}

# The selector matches at least one pod the workload may create, for some values of the keys its
# controller sets. Sound for "overlaps the workload".
may_select_pods(selector, w) if {
	reqs := selector_requirements(selector)
	managed := controller_keys(w)
	lbls := pod_labels(w)
	every r in reqs {
		may_requirement(r, managed, lbls)
	}
	every k in managed {
		present_satisfiable([r | some r in reqs; r.key == k])
	}
}

may_requirement(r, managed, _) if managed[r.key]

may_requirement(r, managed, lbls) if {
	not managed[r.key]
	requirement_holds(r, lbls)
}

# Every label set the selector matches has key: value (a selector matching nothing implies anything).
selector_implies_label(selector, key, value) if {
	reqs := selector_requirements(selector)
	not satisfiable(array.concat(reqs, [{"key": key, "operator": "NotIn", "values": [value]}]))
}

selector_implies_label(selector, _, _) if not selector_requirements(selector)

# Some label set satisfies every requirement (keys are independent of each other).
satisfiable(reqs) if {
	every k in {r.key | some r in reqs} {
		key_satisfiable([r | some r in reqs; r.key == k])
	}
}

key_satisfiable(rs) if {
	every r in rs {
		r.operator in {"NotIn", "DoesNotExist"}
	}
}

key_satisfiable(rs) if present_satisfiable(rs)

# Some value can be present under one key: no DoesNotExist, and a value every In and NotIn allow
# (NotIn lists are finite, so without an In a fresh value passes them all).
present_satisfiable(rs) if {
	not has_operator(rs, "DoesNotExist")
	not has_operator(rs, "In")
}

present_satisfiable(rs) if {
	not has_operator(rs, "DoesNotExist")
	some r in rs
	r.operator == "In"
	some v in r.values
	every q in rs {
		value_allowed(q, v)
	}
}

has_operator(rs, op) if {
	some r in rs
	r.operator == op
}

value_allowed(q, v) if {
	q.operator == "In"
	v in q.values
}

value_allowed(q, v) if {
	q.operator == "NotIn"
	not v in q.values
}

value_allowed(q, _) if q.operator == "Exists"

has_key(obj, key) if _ = obj[key]

# Erlang node workload, as defined in CONTROLS.md.
erlang_port_names := {"epmd", "dist", "erlang-dist"}

erlang_env_names := {"RELEASE_COOKIE", "ERLANG_COOKIE", "RELEASE_DISTRIBUTION"}

# Reads the containers in place (all_containers copies each one).
is_erlang_node(obj) if {
	is_workload(obj)
	spec := pod_spec(obj)
	some field in ["containers", "initContainers", "ephemeralContainers"]
	list := object.get(spec, field, [])
	is_array(list)
	some c in list
	is_object(c)
	container_is_erlang(c)
}

# One pass over the ports, then one over the environment, stopping at the first that tells (the wasm
# target evaluates every body of a multi-body function, and builds a set literal on every iteration).
container_is_erlang(c) if {
	some p in object.get(c, "ports", [])
	p.containerPort == 4369
} else if {
	some p in object.get(c, "ports", [])
	erlang_port_names[p.name]
} else if {
	some e in object.get(c, "env", [])
	erlang_env_names[e.name]
} else if {
	some e in object.get(c, "env", [])
	erlang_flag_env_names[e.name]
	regex.match(`(^|\s)-s?name(\s|$)`, object.get(e, "value", ""))
}

erlang_flag_env_names := {"ERL_FLAGS", "ERL_AFLAGS"}

# An object's identity in the API server: kind, namespace (none for a cluster-scoped kind, whose namespace
# the API server ignores) and name; non-strings read as "".
identity(obj) := [text_or_empty(object.get(obj, "kind", "")), identity_namespace(obj), text_or_empty(name(obj))]

identity_namespace(obj) := "" if {
	kinds.cluster_scoped[obj.kind]
} else := text_or_empty(namespace(obj))

text_or_empty(x) := x if is_string(x)

text_or_empty(x) := "" if not is_string(x)

# The positions of the objects that exist after `kubectl apply` of `resources` in order: of the objects of one
# identity (identity), the last one. Sorting [identity, position] pairs puts each identity's positions
# together in increasing order, so that a position is the last of its identity when the next pair has another
# identity (n·log n: the wasm target has no rule indexing).
last_positions(resources) := {pairs[i][1] |
	pairs := sort([[identity(r), i] | some i, r in resources])
	some i, pair in pairs
	not same_identity_next(pairs, i, pair[0])
}

same_identity_next(pairs, i, id) if pairs[i + 1][0] == id

# The objects of `resources` that exist after they are all applied in order (the last of each identity, see
# last_positions), in input order. Lookups by identity (a ConfigMap's text, a ClusterRole's labels) read these.
last_by_identity(resources) := [r |
	last := last_positions(resources)
	some i, r in resources
	last[i]
]
