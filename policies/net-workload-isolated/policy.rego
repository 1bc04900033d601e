package erlmcp.controls.net_workload_isolated

import data.lib.k8s
import data.lib.net
import data.lib.violation

control_id := "net-workload-isolated"

directions := {"Ingress": "ingressNotIsolated", "Egress": "egressNotIsolated"}

# No field of the workload is to blame (a NetworkPolicy is missing): the finding is about the object.
violation contains v if {
	some w in net.workloads
	some direction, message_id in directions
	not isolated_shapes[[shape(w), direction]]
	v := violation.make(control_id, message_id, w, {"workload": k8s.name(w), "kind": w.kind, "namespace": k8s.namespace(w)})
}

violation contains v if {
	some np in net.network_policies
	not overlapping_selectors[policy_selector(np)]
	v := violation.at(control_id, "danglingPolicy", np, ["spec", "podSelector"], {"policy": k8s.name(np), "namespace": k8s.namespace(np)})
}

# A selector reads of a workload only its namespace, its kind (the label keys its controller sets) and
# its pod template labels: workloads alike share one shape, and each distinct policy selector is matched
# once per shape of its namespace, not once per workload (indexes built in one pass, read whole with
# object.get, whose path here is one key).
shape(w) := [k8s.namespace(w), w.kind, k8s.pod_labels(w)]

workloads_by_shape[shape(w)] contains i if some i, w in net.workloads

shapes_in[s[0]] contains s if some s, _ in workloads_by_shape

representative(s) := net.workloads[min(object.get(workloads_by_shape, [s], set()))]

# The shapes a selector may select: those whose pod labels hold one of its matchLabels entries (on a
# key no controller sets), else every shape of its namespace.
candidate_shapes(sel) := object.get(shapes_labelled, [[sel[0], k, labels[k]]], set()) if {
	is_object(sel[1])
	labels := object.get(sel[1], "matchLabels", {})
	is_object(labels)
	keys := {k | some k, _ in labels; not k in managed_keys}
	count(keys) > 0
	k := min(keys)
} else := object.get(shapes_in, sel[0], set())

shapes_labelled[[s[0], k, v]] contains s if {
	some s, _ in workloads_by_shape
	some k, v in s[2]
}

# Label keys some controller sets on its pods with values a manifest cannot know.
managed_keys := {k | some keys in k8s.controller_pod_label_keys; some k in keys}

policy_selector(np) := [k8s.namespace(np), net.pod_selector(np)]

# The policy types of the policies with each selector.
selector_types[policy_selector(np)] contains t if {
	some np in net.network_policies
	some t in net.policy_types(np)
}

# [shape, policy type] pairs some policy of that type isolates: it selects every pod of the shape.
# Complete rules (built once), read by lookup: on the wasm target `x in set` scans the set, and a lookup
# in a partial set evaluates its body again.
isolated_shapes := {[s, t] |
	some sel, types in selector_types
	some s in candidate_shapes(sel)
	k8s.selects_all_pods(sel[1], representative(s))
	some t in types
}

# The selectors that may select some pod of a workload of their namespace.
overlapping_selectors := {sel |
	some sel in {policy_selector(np) | some np in net.network_policies}
	some s in candidate_shapes(sel)
	k8s.may_select_pods(sel[1], representative(s))
}
