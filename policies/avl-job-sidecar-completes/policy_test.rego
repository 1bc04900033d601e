package erlmcp.controls.avl_job_sidecar_completes_test

import data.erlmcp.controls.avl_job_sidecar_completes as control

namespace(name, labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}

injecting := namespace("erlmcp", {"istio-injection": "enabled"})

pod_spec := {"restartPolicy": "Never", "containers": [{"name": "task", "image": "task:1"}]}

job(name, ns, pod_metadata) := {
	"apiVersion": "batch/v1",
	"kind": "Job",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": pod_metadata, "spec": pod_spec}},
}

cronjob(name, ns, pod_metadata) := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"metadata": pod_metadata, "spec": pod_spec}}}},
}

native := {"annotations": {"sidecar.istio.io/nativeSidecar": "true"}}

findings(objects) := {[v.details.resource.kind, v.details.resource.name, v.details.data.injectedBy] |
	some v in control.violation with input as {"resources": objects}
}

flagged(objects) := {name | some [_, name, _] in findings(objects)}

test_native_sidecar_passes if {
	count(control.violation) == 0 with input as {"resources": [injecting, job("migrate", "erlmcp", native), cronjob("backup", "erlmcp", native)]}
}

test_ordinary_sidecar_in_injecting_namespace_fails if {
	vs := control.violation with input as {"resources": [injecting, job("migrate", "erlmcp", {"labels": {"app": "migrate"}})]}
	[v] := [v | some v in vs]
	v.details.messageId == "sidecarBlocksCompletion"
	v.details.data == {"kind": "Job", "name": "migrate", "injectedBy": "namespace label istio-injection=enabled"}
	v.details.path == ["spec", "template", "metadata"]
}

test_cronjob_path_points_at_its_pod_template if {
	vs := control.violation with input as {"resources": [injecting, cronjob("backup", "erlmcp", {"annotations": {"a": "b"}})]}
	[v] := [v | some v in vs]
	v.details.path == ["spec", "jobTemplate", "spec", "template", "metadata", "annotations"]
}

test_native_annotation_false_points_at_it if {
	vs := control.violation with input as {"resources": [injecting, job("m", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": "false"}})]}
	[v] := [v | some v in vs]
	v.details.path == ["spec", "template", "metadata", "annotations", "sidecar.istio.io/nativeSidecar"]
}

test_native_annotation_on_the_job_itself_fails if {
	j := object.union(job("migrate", "erlmcp", {}), {"metadata": {"annotations": {"sidecar.istio.io/nativeSidecar": "true"}}})
	flagged([injecting, j]) == {"migrate"}
}

test_each_webhook_names_its_reason if {
	findings([namespace("rev", {"istio.io/rev": "1-24"}), job("a", "rev", {})]) == {["Job", "a", "namespace label istio.io/rev"]}
	findings([job("b", "batch", {"labels": {"sidecar.istio.io/inject": "true"}})]) == {["Job", "b", "pod template label sidecar.istio.io/inject=true"]}
	findings([namespace("batch", {}), job("c", "batch", {"labels": {"istio.io/rev": "canary"}})]) == {["Job", "c", "pod template label istio.io/rev"]}
	findings([job("d", "batch", {"labels": {"sidecar.istio.io/inject": "true", "istio.io/rev": "canary"}})]) == {["Job", "d", "pod template label istio.io/rev"]}
}

test_istio_injection_label_wins_over_revision if {
	flagged([namespace("n", {"istio-injection": "disabled", "istio.io/rev": "1-24"}), job("a", "n", {})]) == set()
	findings([namespace("n", {"istio-injection": "enabled", "istio.io/rev": "1-24"}), job("a", "n", {})]) == {["Job", "a", "namespace label istio-injection=enabled"]}
}

test_disabled_namespace_wins_over_pod_label if {
	flagged([namespace("n", {"istio-injection": "disabled"}), job("a", "n", {"labels": {"sidecar.istio.io/inject": "true"}})]) == set()
}

test_opt_outs_pass if {
	flagged([injecting, job("label", "erlmcp", {"labels": {"sidecar.istio.io/inject": "false"}})]) == set()
	flagged([injecting, job("annotation", "erlmcp", {"annotations": {"sidecar.istio.io/inject": "false"}})]) == set()
	flagged([injecting, job("off", "erlmcp", {"annotations": {"sidecar.istio.io/inject": "off"}})]) == set()
	flagged([injecting, job("odd-label", "erlmcp", {"labels": {"sidecar.istio.io/inject": "False"}})]) == set()
}

test_yaml_true_choices_inject if {
	flagged([injecting, job("yes", "erlmcp", {"labels": {"sidecar.istio.io/inject": "Yes"}}), job("empty", "erlmcp", {"annotations": {"sidecar.istio.io/inject": ""}})]) == {"yes", "empty"}
}

test_label_wins_over_annotation if {
	flagged([injecting, job("a", "erlmcp", {"labels": {"sidecar.istio.io/inject": "true"}, "annotations": {"sidecar.istio.io/inject": "false"}})]) == {"a"}
	flagged([injecting, job("b", "erlmcp", {"labels": {"sidecar.istio.io/inject": "false"}, "annotations": {"sidecar.istio.io/inject": "true"}})]) == set()
}

test_annotation_alone_does_not_select_in_unlabelled_namespace if {
	flagged([namespace("batch", {}), job("a", "batch", {"annotations": {"sidecar.istio.io/inject": "true"}})]) == set()
}

test_values_of_another_type_count_as_absent if {
	flagged([injecting, job("a", "erlmcp", {"labels": {"sidecar.istio.io/inject": false}, "annotations": {"sidecar.istio.io/inject": "false"}})]) == set()
	flagged([injecting, job("b", "erlmcp", {"labels": {"sidecar.istio.io/inject": false}})]) == {"b"}
	flagged([injecting, job("c", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": true}})]) == {"c"}
	flagged([namespace("erlmcp", {"istio-injection": true}), job("d", "erlmcp", {})]) == set()
	flagged([injecting, job("e", "erlmcp", {"labels": "sidecar.istio.io/inject=false"})]) == {"e"}
}

test_host_network_is_never_injected if {
	j := json.patch(job("a", "erlmcp", {}), [{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": true}])
	flagged([injecting, j]) == set()
}

test_namespace_is_per_object if {
	flagged([injecting, job("a", "other", {}), job("b", "erlmcp", {})]) == {"b"}
	flagged([injecting, {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "c"}, "spec": {"template": {"spec": pod_spec}}}]) == set()
}

test_one_injecting_namespace_object_of_duplicates_suffices if {
	flagged([namespace("erlmcp", {}), injecting, job("a", "erlmcp", {})]) == {"a"}
}

test_mesh_wide_native_sidecars if {
	objects := [injecting, job("plain", "erlmcp", {}), job("off", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": "false"}})]
	vs := control.violation with input as {"resources": objects, "parameters": {"nativeSidecarsMeshWide": true}}
	{v.details.resource.name | some v in vs} == {"off"}
}

test_native_annotation_only_exactly_false_turns_it_off if {
	flagged([
		injecting,
		job("upper", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": "False"}}),
		job("yes", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": "yes"}}),
		job("off", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": "false"}}),
		job("empty", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": ""}}),
	]) == {"off", "empty"}
}

test_empty_native_annotation_follows_the_mesh if {
	vs := control.violation with input as {
		"resources": [injecting, job("empty", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": ""}})],
		"parameters": {"nativeSidecarsMeshWide": true},
	}
	count(vs) == 0
}

test_only_jobs_cronjobs_and_pods if {
	deployment := object.union(job("web", "erlmcp", {}), {"apiVersion": "apps/v1", "kind": "Deployment"})
	flagged([injecting, deployment, {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "empty", "namespace": "erlmcp"}}]) == set()
}

pod(name, ns, metadata, spec) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": object.union({"name": name, "namespace": ns}, metadata),
	"spec": object.union({"containers": [{"name": "task", "image": "task:1"}]}, spec),
}

test_bare_pod_meant_to_complete_fails_at_its_own_metadata if {
	vs := control.violation with input as {"resources": [injecting, pod("smoke", "erlmcp", {}, {"restartPolicy": "Never"})]}
	[v] := [v | some v in vs]
	v.details.data == {"kind": "Pod", "name": "smoke", "injectedBy": "namespace label istio-injection=enabled"}
	v.details.path == ["metadata"]
	flagged([injecting, pod("retry", "erlmcp", {}, {"restartPolicy": "OnFailure"})]) == {"retry"}
}

test_bare_pod_native_annotation_false_points_at_it if {
	vs := control.violation with input as {"resources": [
		injecting,
		pod("smoke", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": "false"}}, {"restartPolicy": "Never"}),
	]}
	[v] := [v | some v in vs]
	v.details.path == ["metadata", "annotations", "sidecar.istio.io/nativeSidecar"]
}

test_server_pods_are_out_of_scope if {
	flagged([
		injecting,
		pod("always", "erlmcp", {}, {"restartPolicy": "Always"}),
		pod("default", "erlmcp", {}, {}),
		pod("null", "erlmcp", {}, {"restartPolicy": null}),
		pod("typed", "erlmcp", {}, {"restartPolicy": ["Never"]}),
		pod("lower", "erlmcp", {}, {"restartPolicy": "never"}),
	]) == set()
	flagged([injecting, object.union(pod("no-spec", "erlmcp", {}, {}), {"spec": null})]) == set()
}

test_bare_pod_native_or_opted_out_passes if {
	flagged([
		injecting,
		pod("native", "erlmcp", {"annotations": {"sidecar.istio.io/nativeSidecar": "true"}}, {"restartPolicy": "Never"}),
		pod("out", "erlmcp", {"labels": {"sidecar.istio.io/inject": "false"}}, {"restartPolicy": "Never"}),
		pod("host", "erlmcp", {}, {"restartPolicy": "Never", "hostNetwork": true}),
	]) == set()
}

test_bare_pod_selected_by_its_own_labels if {
	findings([pod("a", "batch", {"labels": {"sidecar.istio.io/inject": "true"}}, {"restartPolicy": "Never"})]) == {["Pod", "a", "pod template label sidecar.istio.io/inject=true"]}
	flagged([pod("b", "batch", {"annotations": {"sidecar.istio.io/inject": "true"}}, {"restartPolicy": "Never"})]) == set()
}

test_controller_owned_pod_is_judged_through_its_owner if {
	owner := {"apiVersion": "batch/v1", "kind": "Job", "name": "migrate", "uid": "u", "controller": true}
	flagged([injecting, pod("owned", "erlmcp", {"ownerReferences": [owner]}, {"restartPolicy": "Never"})]) == set()
	not_controller := object.union(owner, {"controller": false})
	flagged([injecting, pod("gc-only", "erlmcp", {"ownerReferences": [not_controller]}, {"restartPolicy": "Never"})]) == {"gc-only"}
	flagged([injecting, pod("odd", "erlmcp", {"ownerReferences": "Job"}, {"restartPolicy": "Never"})]) == {"odd"}
	flagged([injecting, pod("odd2", "erlmcp", {"ownerReferences": [null, "Job", {"controller": "true"}]}, {"restartPolicy": "Never"})]) == {"odd2"}
}
