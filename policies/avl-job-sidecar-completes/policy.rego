# avl-job-sidecar-completes: a Job or CronJob whose pods get Istio's sidecar as an ordinary container
# (which never exits) never completes, nor does a bare Pod meant to run to completion. Injection is
# decided as Istio's sidecar injector webhooks decide it, from the labels of the pod template and of
# its Namespace object in the set.
package erlmcp.controls.avl_job_sidecar_completes

import data.lib.k8s
import data.lib.violation

control_id := "avl-job-sidecar-completes"

job_kinds := {"Job", "CronJob"}

# A Pod runs to completion unless it restarts its containers forever (Always, the default).
completing_restart_policies := {"Never", "OnFailure"}

inject_key := "sidecar.istio.io/inject"

native_key := "sidecar.istio.io/nativeSidecar"

# The selectors of Istio's injector webhooks (default and revisioned), in the order their reason is
# reported: a pod is sent to the injector when one of them matches its namespace and its own labels.
not_opted_out := {"key": inject_key, "operator": "NotIn", "values": ["false"]}

no_namespace_label := [
	{"key": "istio-injection", "operator": "DoesNotExist"},
	{"key": "istio.io/rev", "operator": "DoesNotExist"},
]

webhooks := [
	{
		"injectedBy": "namespace label istio-injection=enabled",
		"namespaceSelector": {"matchLabels": {"istio-injection": "enabled"}},
		"objectSelector": {"matchExpressions": [not_opted_out]},
	},
	{
		"injectedBy": "namespace label istio.io/rev",
		"namespaceSelector": {"matchExpressions": [
			{"key": "istio.io/rev", "operator": "Exists"},
			{"key": "istio-injection", "operator": "DoesNotExist"},
		]},
		"objectSelector": {"matchExpressions": [not_opted_out]},
	},
	{
		"injectedBy": "pod template label sidecar.istio.io/inject=true",
		"namespaceSelector": {"matchExpressions": no_namespace_label},
		"objectSelector": {"matchExpressions": [
			{"key": inject_key, "operator": "In", "values": ["true"]},
			{"key": "istio.io/rev", "operator": "DoesNotExist"},
		]},
	},
	{
		"injectedBy": "pod template label istio.io/rev",
		"namespaceSelector": {"matchExpressions": no_namespace_label},
		"objectSelector": {"matchExpressions": [not_opted_out, {"key": "istio.io/rev", "operator": "Exists"}]},
	},
]

# The label maps (string values only) of the Namespace objects of the set, by name.
namespace_labels := {name: maps |
	some n in input.resources
	n.kind == "Namespace"
	name := k8s.name(n)
	maps := {string_map(object.get(ns, ["metadata", "labels"], {})) |
		some ns in input.resources
		ns.kind == "Namespace"
		k8s.name(ns) == name
	}
}

violation contains violation.at(
	control_id, "sidecarBlocksCompletion", obj,
	array.concat(k8s.pod_template_path(obj), ["metadata", "annotations", native_key]),
	{"kind": obj.kind, "name": k8s.name(obj), "injectedBy": reason},
) if {
	some obj in input.resources
	runs_to_completion(obj)
	template := k8s.pod_template(obj)
	reason := injected_by(obj)
	injects(template)
	not native(template)
}

runs_to_completion(obj) if job_kinds[obj.kind]

# A bare Pod meant to complete (a Helm test hook, a one-off task). A Pod a controller owns is judged
# through its owner (a Job's pods through the Job; a ReplicaSet's pods restart Always).
runs_to_completion(obj) if {
	obj.kind == "Pod"
	completing_restart_policies[object.get(obj, ["spec", "restartPolicy"], "Always")]
	not controller_owned(obj)
}

controller_owned(obj) if {
	refs := object.get(obj, ["metadata", "ownerReferences"], [])
	is_array(refs)
	some ref in refs
	is_object(ref)
	ref.controller == true
}

# The reason of the first webhook that sends the pod to the injector.
injected_by(obj) := webhooks[min(matching)].injectedBy if {
	matching := {i | some i, hook in webhooks; selects(hook, obj)}
	count(matching) > 0
}

selects(hook, obj) if {
	k8s.selector_matches(hook.objectSelector, template_map(k8s.pod_template(obj), "labels"))
	some ns_labels in namespace_label_maps(k8s.namespace(obj))
	k8s.selector_matches(hook.namespaceSelector, ns_labels)
}

# A namespace without its object in the set counts as one without labels.
namespace_label_maps(name) := namespace_labels[name] if is_string(name)

else := {{}}

# Once sent to it, the injector follows the pod's own choice: the label, else the annotation; empty or
# a YAML true injects, any other value opts out. A pod on the host network is never injected.
injects(template) if {
	lower(inject_choice(template)) in {"", "y", "yes", "true", "on"}
	object.get(template, ["spec", "hostNetwork"], false) != true
}

inject_choice(template) := choice if {
	choice := template_map(template, "labels")[inject_key]
} else := choice if {
	choice := template_map(template, "annotations")[inject_key]
} else := ""

# Native (an init container with restartPolicy Always) as Istio's injection template decides it: a
# non-empty annotation unless it is exactly "false", else the mesh-wide setting.
native(template) if {
	value := template_map(template, "annotations")[native_key]
	not value in {"", "false"}
}

native(template) if {
	not native_annotated(template)
	object.get(input, ["parameters", "nativeSidecarsMeshWide"], false) == true
}

native_annotated(template) if template_map(template, "annotations")[native_key] != ""

# The metadata map of a pod template with its string values only.
template_map(template, field) := string_map(object.get(template, ["metadata", field], {}))

string_map(m) := {k: v | some k, v in m; is_string(v)} if is_object(m)

else := {}
