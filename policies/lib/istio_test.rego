# lib.istio: Istio's injection decision, webhook selection then istiod's own check.
package lib.istio_test

import data.lib.istio
import data.lib.k8s

pod(labels, annotations) := {"metadata": {"labels": labels, "annotations": annotations}, "spec": {"containers": [{"name": "a"}]}}

enabled := {{"istio-injection": "enabled"}}

unlabelled := {{}}

test_namespace_labels_select if {
	istio.injected_by(pod({}, {}), "shop", enabled) == "namespace label istio-injection=enabled"
	istio.injected_by(pod({}, {}), "shop", {{"istio.io/rev": "1-24"}}) == "namespace label istio.io/rev"
	not istio.injected_by(pod({}, {}), "shop", {{"istio-injection": "disabled"}})
	not istio.injected_by(pod({}, {}), "shop", {{"istio-injection": "disabled", "istio.io/rev": "1-24"}})
	not istio.injected_by(pod({}, {}), "shop", unlabelled)
}

test_pod_labels_select_in_an_unlabelled_namespace if {
	istio.injected_by(pod({"sidecar.istio.io/inject": "true"}, {}), "shop", unlabelled) == "pod template label sidecar.istio.io/inject=true"
	istio.injected_by(pod({"istio.io/rev": "canary"}, {}), "shop", unlabelled) == "pod template label istio.io/rev"
	not istio.injected_by(pod({"sidecar.istio.io/inject": "TRUE"}, {}), "shop", unlabelled)
	not istio.injected_by(pod({}, {"sidecar.istio.io/inject": "true"}), "shop", unlabelled)
	not istio.injected_by(pod({"sidecar.istio.io/inject": "true"}, {}), "shop", {{"istio-injection": "disabled"}})
}

test_yaml_true_spellings_inject if {
	every v in ["", "true", "TRUE", "True", "yes", "Y", "on"] {
		istio.injected_by(pod({"sidecar.istio.io/inject": v}, {}), "shop", enabled)
	}
}

test_every_other_spelling_opts_out if {
	every v in ["false", "False", "no", "0", "1", "f", "t", "off", "n", "disabled"] {
		not istio.injected_by(pod({"sidecar.istio.io/inject": v}, {}), "shop", enabled)
		not istio.injected_by(pod({}, {"sidecar.istio.io/inject": v}), "shop", enabled)
	}
}

test_the_label_wins_over_the_annotation if {
	istio.injected_by(pod({"sidecar.istio.io/inject": "true"}, {"sidecar.istio.io/inject": "false"}), "shop", enabled)
	not istio.injected_by(pod({"sidecar.istio.io/inject": "no"}, {"sidecar.istio.io/inject": "true"}), "shop", enabled)
	istio.injected_by(pod({"sidecar.istio.io/inject": false}, {}), "shop", enabled)
	not istio.injected_by(pod({"sidecar.istio.io/inject": false}, {"sidecar.istio.io/inject": "0"}), "shop", enabled)
}

test_host_network_and_system_namespaces_are_never_injected if {
	not istio.injected_by({"spec": {"hostNetwork": true}}, "shop", enabled)
	istio.injected_by({"spec": {"hostNetwork": "true"}}, "shop", enabled)
	not istio.injected_by(pod({}, {}), "kube-system", enabled)
	not istio.injected_by(pod({}, {}), "local-path-storage", enabled)
}

test_namespace_label_maps_of_the_set_else_the_assumption if {
	resources := [
		{"kind": "Namespace", "metadata": {"name": "shop", "labels": {"istio-injection": "disabled", "n": 1}}},
		{"kind": "Namespace", "metadata": {"name": "shop", "labels": "x"}},
	]
	istio.namespace_label_maps("shop", istio.absent_namespace_injecting) == {{"istio-injection": "disabled"}, {}} with input as {"resources": resources}
	istio.namespace_label_maps("other", istio.absent_namespace_injecting) == istio.absent_namespace_injecting with input as {"resources": resources}
	istio.namespace_label_maps(7, istio.absent_namespace_unlabelled) == istio.absent_namespace_unlabelled with input as {"resources": resources}
}

# injected_by reads only the labels the webhooks select on, and the inject choice in place; the decision
# must be the one of matching every webhook's selectors against the template's whole string-valued labels.
reference_injected_by(template, namespace, ns_maps) := istio.webhooks[min(matching)].injectedBy if {
	labels := istio.template_map(template, "labels")
	matching := {i |
		some i, hook in istio.webhooks
		k8s.selector_matches(hook.objectSelector, labels)
		some ns_labels in ns_maps
		k8s.selector_matches(hook.namespaceSelector, ns_labels)
	}
	count(matching) > 0
	object.get(template, ["spec", "hostNetwork"], false) != true
	not namespace in istio.ignored_namespaces
	lower(reference_choice(template)) in istio.injecting_choices
}

reference_choice(template) := choice if {
	choice := istio.template_map(template, "labels")[istio.inject_key]
} else := choice if {
	choice := istio.template_map(template, "annotations")[istio.inject_key]
} else := ""

hostile_templates := [
	pod({}, {}), pod({"sidecar.istio.io/inject": "true"}, {}), pod({"sidecar.istio.io/inject": true}, {}),
	pod({"sidecar.istio.io/inject": true}, {"sidecar.istio.io/inject": "true"}),
	pod({"sidecar.istio.io/inject": null}, {"sidecar.istio.io/inject": "yes"}),
	pod({"sidecar.istio.io/inject": "false"}, {"sidecar.istio.io/inject": "true"}),
	pod({"istio.io/rev": "canary"}, {}), pod({"istio.io/rev": 1}, {}), pod({"istio.io/rev": null}, {}),
	pod({"istio.io/rev": "canary", "sidecar.istio.io/inject": "true"}, {}), pod({"app": "x"}, {"sidecar.istio.io/inject": "no"}),
	pod(["sidecar.istio.io/inject"], {}), pod("sidecar.istio.io/inject", "true"), pod(null, null),
	{"spec": {"containers": [{"name": "a"}]}}, {"metadata": [], "spec": {}},
	object.union(pod({"sidecar.istio.io/inject": "true"}, {}), {"spec": {"hostNetwork": true}}),
]

test_injection_as_every_selector_on_all_labels if {
	every template in hostile_templates {
		every namespace in ["shop", "kube-system"] {
			every ns_maps in [enabled, unlabelled, {{"istio.io/rev": "1-24"}}, {{"istio-injection": "disabled"}}, {{}, {"istio-injection": "enabled"}}] {
				[r | r := istio.injected_by(template, namespace, ns_maps)] == [r | r := reference_injected_by(template, namespace, ns_maps)]
			}
		}
	}
}
