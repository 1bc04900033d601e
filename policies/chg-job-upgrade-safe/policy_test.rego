package erlmcp.controls.chg_job_upgrade_safe_test

import data.erlmcp.controls.chg_job_upgrade_safe as control

review(obj) := {"review": {"object": obj}}

job(metadata, spec) := {
	"apiVersion": "batch/v1",
	"kind": "Job",
	"metadata": object.union({"name": "erlmcp-migrate", "namespace": "erlmcp"}, metadata),
	"spec": object.union({"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "migrate", "image": "erlmcp"}]}}}, spec),
}

replaced := {
	"argocd.argoproj.io/hook": "PostSync",
	"argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
	"kustomize.toolkit.fluxcd.io/force": "enabled",
}

findings(obj) := {[v.details.messageId, v.details.data.missing, v.details.path] |
	some v in control.violation with input as review(obj)
	v.details.messageId == "jobReplacedInPlace"
} | {[v.details.messageId, "", v.details.path] |
	some v in control.violation with input as review(obj)
	v.details.messageId == "suspendedJob"
}

test_argo_hook_and_flux_force_pass if {
	count(control.violation) == 0 with input as review(job({"annotations": replaced}, {}))
}

test_plain_job_is_replaced_in_place_by_argo_and_flux if {
	findings(job({}, {})) == {["jobReplacedInPlace", "Argo CD, Flux", ["metadata"]]}
}

test_argo_hook_without_flux_force if {
	annotations := {"argocd.argoproj.io/hook": "PostSync", "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation"}
	findings(job({"annotations": annotations}, {})) == {["jobReplacedInPlace", "Flux", ["metadata", "annotations"]]}
}

test_helm_rendered_job_needs_a_helm_hook if {
	by_chart := job({"labels": {"helm.sh/chart": "erlmcp-3.0.2"}, "annotations": replaced}, {})
	findings(by_chart) == {["jobReplacedInPlace", "Helm", ["metadata", "annotations"]]}
	by_manager := job({"labels": {"app.kubernetes.io/managed-by": "Helm"}, "annotations": replaced}, {})
	findings(by_manager) == {["jobReplacedInPlace", "Helm", ["metadata", "annotations"]]}
}

test_helm_hook_covers_helm_and_argo if {
	annotations := {"helm.sh/hook": "post-upgrade", "helm.sh/hook-delete-policy": "before-hook-creation", "kustomize.toolkit.fluxcd.io/force": "enabled"}
	count(control.violation) == 0 with input as review(job({"labels": {"helm.sh/chart": "x"}, "annotations": annotations}, {}))
}

test_delete_policy_must_remove_the_previous_run if {
	succeeded := object.union(replaced, {"argocd.argoproj.io/hook-delete-policy": "HookSucceeded"})
	findings(job({"annotations": succeeded}, {})) == {["jobReplacedInPlace", "Argo CD", ["metadata", "annotations"]]}
	both := object.union(replaced, {"argocd.argoproj.io/hook-delete-policy": " HookSucceeded , HookFailed "})
	count(control.violation) == 0 with input as review(job({"annotations": both}, {}))
	helm_failed := {"helm.sh/hook": "post-upgrade", "helm.sh/hook-delete-policy": "hook-failed", "kustomize.toolkit.fluxcd.io/force": "enabled"}
	findings(job({"labels": {"helm.sh/chart": "x"}, "annotations": helm_failed}, {})) == {["jobReplacedInPlace", "Helm, Argo CD", ["metadata", "annotations"]]}
}

test_force_replace_sync_options if {
	annotations := {"argocd.argoproj.io/sync-options": "Force=true,Replace=true", "kustomize.toolkit.fluxcd.io/force": "enabled"}
	count(control.violation) == 0 with input as review(job({"annotations": annotations}, {}))
	replace_only := {"argocd.argoproj.io/sync-options": "Replace=true", "kustomize.toolkit.fluxcd.io/force": "enabled"}
	findings(job({"annotations": replace_only}, {})) == {["jobReplacedInPlace", "Argo CD", ["metadata", "annotations"]]}
}

test_non_string_annotations_count_as_absent if {
	annotations := object.union(replaced, {"kustomize.toolkit.fluxcd.io/force": true})
	findings(job({"annotations": annotations}, {})) == {["jobReplacedInPlace", "Flux", ["metadata", "annotations"]]}
	findings(job({"annotations": "PostSync"}, {})) == {["jobReplacedInPlace", "Argo CD, Flux", ["metadata", "annotations"]]}
}

test_suspended_job if {
	findings(job({"annotations": replaced}, {"suspend": true})) == {["suspendedJob", "", ["spec", "suspend"]]}
	count(control.violation) == 0 with input as review(job({"annotations": replaced}, {"suspend": false}))
}

test_controller_owned_job_is_not_checked if {
	owner := {"apiVersion": "batch/v1", "kind": "CronJob", "name": "erlmcp-restore", "uid": "u", "controller": true}
	count(control.violation) == 0 with input as review(job({"ownerReferences": [owner]}, {"suspend": true}))
	not_controller := object.union(owner, {"controller": false})
	count(findings(job({"ownerReferences": [not_controller]}, {}))) == 1
	count(findings(job({"ownerReferences": "CronJob"}, {}))) == 1
}

test_hook_without_delete_policy_defaults_to_before_hook_creation if {
	annotations := {"argocd.argoproj.io/hook": "PreSync", "kustomize.toolkit.fluxcd.io/force": "enabled"}
	count(control.violation) == 0 with input as review(job({"annotations": annotations}, {}))
}
