# Whether Istio injects its sidecar into a pod, as Istio decides it (mirrors src/k8s/istio-injection.ts):
# first the injector's MutatingWebhookConfiguration sends the pod to istiod (namespace and object
# selectors on labels), then istiod's injectRequired follows the pod's own choice. The one decision
# every control that asks "does this pod get a sidecar?" uses.
package lib.istio

import data.lib.k8s

inject_key := "sidecar.istio.io/inject"

# Namespaces istiod never injects into, whatever their labels (IgnoredNamespaces of pkg/kube/inject).
ignored_namespaces := {"kube-system", "kube-public", "kube-node-lease", "local-path-storage"}

# The choices istiod reads as "inject" (YAML 1.1 true spellings, any case; empty = the namespace's
# default). Every other value opts out: false, no, 0, 1, t, f... istiod does not use strconv.ParseBool.
injecting_choices := {"", "y", "yes", "true", "on"}

# What a namespace absent from the audited set is taken to be labelled with: nothing (only pod
# labels select), or istio-injection=enabled.
absent_namespace_unlabelled := {{}}

absent_namespace_injecting := {{"istio-injection": "enabled"}}

# The selectors of Istio's injector webhooks (default and revisioned), in the order their reason is
# reported: a pod is sent to istiod when one of them matches its namespace and its own labels.
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

# The label maps (string values only) of the Namespace objects of the set, by name (one pass).
namespace_labels[name] contains string_map(object.get(n, ["metadata", "labels"], {})) if {
	some n in input.resources
	n.kind == "Namespace"
	name := k8s.name(n)
}

# The label maps of a namespace: its objects' in the set, else `absent` (see absent_namespace_*).
# Read whole (object.get) so that the index is built once per evaluation: the wasm target would
# evaluate the rule body again for a lookup `namespace_labels[name]`.
namespace_label_maps(name, absent) := object.get(namespace_labels, name, absent) if is_string(name)

else := absent

# Why Istio injects its sidecar into the pod template (a bare Pod is its own) in namespace `namespace`
# whose label maps are `ns_maps`: the reason of the first webhook that selects it. Undefined when not.
injected_by(template, namespace, ns_maps) := webhooks[min(matching)].injectedBy if {
	labels := webhook_labels(template)
	matching := {i |
		some i, [object_reqs, namespace_reqs] in webhook_requirements
		k8s.requirements_hold(object_reqs, labels)
		some ns_labels in ns_maps
		k8s.requirements_hold(namespace_reqs, ns_labels)
	}
	count(matching) > 0
	injector_accepts(template, namespace)
}

# The requirements of each webhook's object and namespace selectors (all valid), built once per
# evaluation: k8s.selector_matches would build them again on every call.
webhook_requirements := [[k8s.selector_requirements(hook.objectSelector), k8s.selector_requirements(hook.namespaceSelector)] |
	some hook in webhooks
]

# The keys the webhooks' object selectors read.
webhook_label_keys := {r.key | some [object_reqs, _] in webhook_requirements; some r in object_reqs}

# The string-valued labels of the template the webhooks' object selectors read (the others cannot
# change their outcome): a map of at most two entries instead of all the template's labels.
webhook_labels(template) := {k: v |
	labels := object.get(template, ["metadata", "labels"], {})
	is_object(labels)
	some k in webhook_label_keys
	v := labels[k]
	is_string(v)
}

# istiod's own check once the pod reached it: the label, else the annotation, read as a YAML boolean;
# never a pod on the host network or in a system namespace.
injector_accepts(template, namespace) if {
	object.get(template, ["spec", "hostNetwork"], false) != true
	not namespace in ignored_namespaces
	lower(inject_choice(template)) in injecting_choices
}

# Read in place (as template_map(template, field)[inject_key] would read it).
inject_choice(template) := choice if {
	choice := object.get(template, ["metadata", "labels", inject_key], null)
	is_string(choice)
} else := choice if {
	choice := object.get(template, ["metadata", "annotations", inject_key], null)
	is_string(choice)
} else := ""

# The metadata map of a pod template with its string values only.
template_map(template, field) := string_map(object.get(template, ["metadata", field], {}))

string_map(m) := {k: v | some k, v in m; is_string(v)} if is_object(m)

else := {}
