package lib.violation_test

import data.lib.violation

templates := {"demo-control": {
	"plain": "Nothing to fill.",
	"container": "Container {container} of {kind} {workload} has no probe.",
	"counts": "Runs {replicas} replicas (odd: {odd}, ratio {ratio}, owner {owner}).",
	"twice": "{name} and {name} again.",
	"braces": "Literal {{name}}, {not a key}, {} and a lone } stay; {missing} too.",
}}

pod := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web", "namespace": "erlmcp"},
}

msg(message_id, fields) := m if {
	m := violation.make("demo-control", message_id, pod, fields).msg with data.lib.messages.templates as templates
}

test_make_carries_message_id_data_and_the_object_ref if {
	v := violation.make("demo-control", "plain", pod, {"a": 1}) with data.lib.messages.templates as templates
	v == {
		"msg": "[plain] Nothing to fill.",
		"details": {
			"messageId": "plain",
			"data": {"a": 1},
			"resource": {"apiVersion": "v1", "kind": "Pod", "namespace": "erlmcp", "name": "web"},
			"path": [],
		},
	}
}

deployment := {
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": true, "runAsUser": null}}]}}},
}

test_at_keeps_the_path_of_an_existing_field if {
	path := ["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]
	v := violation.at("demo-control", "plain", deployment, path, {}) with data.lib.messages.templates as templates
	v.details.path == path
}

test_at_cuts_a_missing_field_back_to_its_closest_existing_parent if {
	missing := ["spec", "template", "spec", "containers", 0, "resources", "limits", "memory"]
	violation.closest(deployment, missing) == ["spec", "template", "spec", "containers", 0]
	violation.closest(deployment, ["spec", "template", "spec", "containers", 3, "image"]) == ["spec", "template", "spec", "containers"]
	violation.closest(deployment, ["spec", "template", "spec", "containers", 0, "securityContext", "runAsUser"]) == ["spec", "template", "spec", "containers", 0, "securityContext"]
	violation.closest(deployment, ["status"]) == []
}

test_make_with_ref_keeps_the_given_resource if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "namespace": "", "name": "erlmcp"}
	v := violation.make_with_ref("demo-control", "plain", ns, {}) with data.lib.messages.templates as templates
	v.details == {"messageId": "plain", "data": {}, "resource": ns, "path": []}
	v.msg == "[plain] Nothing to fill."
}

test_string_placeholders_are_filled if {
	msg("container", {"container": "app", "kind": "Deployment", "workload": "erlmcp"}) == "[container] Container app of Deployment erlmcp has no probe."
}

test_numbers_booleans_and_null_print_as_json if {
	msg("counts", {"replicas": 3, "odd": true, "ratio": 0.5, "owner": null}) == "[counts] Runs 3 replicas (odd: true, ratio 0.5, owner null)."
}

test_false_and_zero_are_values_not_missing if {
	msg("counts", {"replicas": 0, "odd": false, "ratio": 0, "owner": ""}) == "[counts] Runs 0 replicas (odd: false, ratio 0, owner )."
}

test_a_placeholder_without_a_value_stays_visible if {
	msg("container", {"container": "app"}) == "[container] Container app of {kind} {workload} has no probe."
}

test_every_occurrence_is_filled if {
	msg("twice", {"name": "x"}) == "[twice] x and x again."
}

test_braces_that_are_not_placeholders_stay_as_written if {
	msg("braces", {"name": "n", "not a key": "x"}) == "[braces] Literal {n}, {not a key}, {} and a lone } stay; {missing} too."
}

test_a_value_is_not_rendered_again if {
	msg("twice", {"name": "{name}"}) == "[twice] {name} and {name} again."
}

test_unknown_message_id_keeps_the_violation_with_a_visible_message if {
	v := violation.make("demo-control", "noSuchMessage", pod, {"a": "b"}) with data.lib.messages.templates as templates
	v.msg == "[noSuchMessage] demo-control: noSuchMessage"
	v.details.messageId == "noSuchMessage"
}

test_unknown_control_keeps_the_violation_with_a_visible_message if {
	m := violation.make("no-such-control", "plain", pod, {}).msg with data.lib.messages.templates as templates
	m == "[plain] no-such-control: plain"
}

test_generated_templates_are_used_by_default if {
	v := violation.make_with_ref("net-default-deny", "namespaceWithoutDefaultDeny", {}, {"namespace": "erlmcp"})
	startswith(v.msg, "[namespaceWithoutDefaultDeny] Namespace erlmcp holds workloads but has no default-deny NetworkPolicy")
}
