# Selector helpers of lib.k8s (the property test test/properties/selectors-evaluator.test.ts checks
# them against a Kubernetes-docs reference on generated cases; these are the named cases).
package lib.k8s_selectors_test

import data.lib.k8s

lbls := {"app": "x", "tier": "web"}

sts(labels) := {"kind": "StatefulSet", "spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "a"}]}}}}

test_match_expressions_twin_of_match_labels if {
	k8s.selector_matches({"matchLabels": {"app": "x"}}, lbls)
	k8s.selector_matches({"matchExpressions": [{"key": "app", "operator": "In", "values": ["x", "y"]}]}, lbls)
	k8s.selector_matches({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["y"]}]}, lbls)
	k8s.selector_matches({"matchExpressions": [{"key": "other", "operator": "NotIn", "values": ["y"]}]}, lbls)
	k8s.selector_matches({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, lbls)
	k8s.selector_matches({"matchExpressions": [{"key": "other", "operator": "DoesNotExist", "values": []}]}, lbls)
	k8s.selector_matches({}, lbls)
	k8s.selector_matches({"matchLabels": {}}, lbls)
}

test_excluding_selectors if {
	not k8s.selector_matches({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["x"]}]}, lbls)
	not k8s.selector_matches({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, lbls)
	not k8s.selector_matches({"matchExpressions": [{"key": "other", "operator": "In", "values": ["x"]}]}, lbls)
}

test_invalid_selectors_select_nothing if {
	not k8s.selector_matches({"matchExpressions": [{"key": "other", "operator": "NotIn", "values": []}]}, lbls)
	not k8s.selector_matches({"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]}, lbls)
	not k8s.selector_matches({"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["x"]}]}, lbls)
	not k8s.selector_matches({"matchLabels": {"app": 1}}, lbls)
	not k8s.selector_matches(null, lbls)
	not k8s.map_selector_matches({}, lbls)
	not k8s.map_selector_matches({"app": 1}, lbls)
	k8s.map_selector_matches({"app": "x"}, lbls)
}

test_controller_keys_cover_only_with_exists if {
	k8s.selects_all_pods({"matchLabels": {"app": "x"}}, sts(lbls))
	k8s.selects_all_pods({"matchExpressions": [{"key": "controller-revision-hash", "operator": "Exists"}]}, sts(lbls))
	not k8s.selects_all_pods({"matchLabels": {"app": "x", "statefulset.kubernetes.io/pod-name": "w-0"}}, sts(lbls))
	k8s.may_select_pods({"matchLabels": {"app": "x", "statefulset.kubernetes.io/pod-name": "w-0"}}, sts(lbls))
	not k8s.may_select_pods({"matchExpressions": [{"key": "controller-revision-hash", "operator": "DoesNotExist"}]}, sts(lbls))
	not k8s.may_select_pods(
		{"matchExpressions": [
			{"key": "controller-revision-hash", "operator": "In", "values": ["a"]},
			{"key": "controller-revision-hash", "operator": "NotIn", "values": ["a"]},
		]},
		sts(lbls),
	)
	not k8s.may_select_pods({"matchLabels": {"app": "y"}}, sts(lbls))
}

test_selector_implies_label if {
	k8s.selector_implies_label({"matchLabels": {"k8s-app": "kube-dns"}}, "k8s-app", "kube-dns")
	k8s.selector_implies_label({"matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]}, "k8s-app", "kube-dns")
	not k8s.selector_implies_label({"matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns", "x"]}]}, "k8s-app", "kube-dns")
	not k8s.selector_implies_label({"matchExpressions": [{"key": "k8s-app", "operator": "Exists"}]}, "k8s-app", "kube-dns")
	not k8s.selector_implies_label({}, "k8s-app", "kube-dns")

	# A selector that matches nothing (unsatisfiable or invalid) implies anything.
	k8s.selector_implies_label({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, "k8s-app", "kube-dns")
	k8s.selector_implies_label({"matchExpressions": [{"key": "a", "operator": "Exists"}, {"key": "a", "operator": "DoesNotExist"}]}, "k8s-app", "kube-dns")
}
