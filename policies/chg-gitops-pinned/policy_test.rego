package erlmcp.controls.chg_gitops_pinned_test

import data.erlmcp.controls.chg_gitops_pinned as control

sha := "0123456789abcdef0123456789abcdef01234567"

good_sync := {"automated": {"prune": true, "selfHeal": true}}

app(spec, allow) := {
	"review": {"object": {
		"apiVersion": "argoproj.io/v1alpha1",
		"kind": "Application",
		"metadata": {"name": "erlmcp", "namespace": "argocd"},
		"spec": spec,
	}},
	"parameters": {"allowBranches": allow},
}

git(rev) := {"repoURL": "https://github.com/erlmcp/deploy", "path": "prod", "targetRevision": rev}

chart(rev) := {"repoURL": "https://charts.erlmcp.dev", "chart": "erlmcp", "targetRevision": rev}

flux(api, kind, spec) := {"review": {"object": {"apiVersion": api, "kind": kind, "metadata": {"name": "f", "namespace": "flux-system"}, "spec": spec}}}

ids(vs) := {v.details.messageId | some v in vs}

test_pinned_application_passes if {
	count(control.violation) == 0 with input as app({"project": "erlmcp", "source": git(sha), "syncPolicy": good_sync}, false)
}

test_multi_source_tag_and_chart_pass if {
	count(control.violation) == 0 with input as app({"project": "erlmcp", "sources": [git("v3.0.0"), chart("3.0.0")], "syncPolicy": good_sync}, false)
}

test_default_project_fails if {
	ids(control.violation) == {"defaultProject"} with input as app({"source": git(sha), "syncPolicy": good_sync}, false)
}

test_branch_fails_in_production if {
	vs := control.violation with input as app({"project": "erlmcp", "sources": [git(sha), git("main")], "syncPolicy": good_sync}, false)
	[v.details.data.source | some v in vs] == ["spec.sources[1]"]
}

test_unset_revision_is_head if {
	vs := control.violation with input as app({"project": "erlmcp", "source": {"repoURL": "x"}, "syncPolicy": good_sync}, false)
	[v.details.data.revision | some v in vs] == ["HEAD"]
}

test_chart_range_fails if {
	ids(control.violation) == {"unpinnedRevision"} with input as app({"project": "erlmcp", "source": chart("3.*"), "syncPolicy": good_sync}, false)
}

test_branch_allowed_when_parameter_set if {
	count(control.violation) == 0 with input as app({"project": "erlmcp", "source": git("main"), "syncPolicy": good_sync}, true)
}

test_manual_sync_fails if {
	vs := control.violation with input as app({"project": "erlmcp", "source": git(sha)}, false)
	[v.details.data.missing | some v in vs] == ["syncPolicy.automated"]
}

test_partial_auto_sync_fails if {
	vs := control.violation with input as app({"project": "erlmcp", "source": git(sha), "syncPolicy": {"automated": {"prune": true, "enabled": false}}}, false)
	[v.details.data.missing | some v in vs] == ["enabled, selfHeal"]
}

test_flux_kustomization if {
	count(control.violation) == 0 with input as flux("kustomize.toolkit.fluxcd.io/v1", "Kustomization", {"prune": true})
	ids(control.violation) == {"fluxPruneDisabled", "fluxSuspended"} with input as flux("kustomize.toolkit.fluxcd.io/v1", "Kustomization", {"suspend": true})
}

test_flux_git_repository if {
	count(control.violation) == 0 with input as flux("source.toolkit.fluxcd.io/v1", "GitRepository", {"verify": {"mode": "HEAD"}})
	ids(control.violation) == {"gitVerifyMissing"} with input as flux("source.toolkit.fluxcd.io/v1", "GitRepository", {})
}

test_kustomize_config_kind_ignored if {
	count(control.violation) == 0 with input as flux("kustomize.config.k8s.io/v1beta1", "Kustomization", {})
}

located(vs) := {[v.details.messageId, v.details.path] | some v in vs}

test_paths_point_at_the_application_field_to_change if {
	located(control.violation) == {
		["defaultProject", ["spec"]],
		["unpinnedRevision", ["spec", "sources", 1, "targetRevision"]],
		["unpinnedRevision", ["spec", "sources", 2]],
		["autoSyncIncomplete", ["spec", "syncPolicy", "automated", "selfHeal"]],
	} with input as app({"sources": [git(sha), git("main"), object.remove(git(sha), ["targetRevision"])], "syncPolicy": {"automated": {"prune": true, "selfHeal": false}}}, false)
	located(control.violation) == {["autoSyncIncomplete", ["spec", "syncPolicy", "automated"]]} with input as app({"project": "erlmcp", "source": git(sha), "syncPolicy": {"automated": {}}}, false)
	located(control.violation) == {["autoSyncIncomplete", ["spec"]]} with input as app({"project": "erlmcp", "source": git(sha)}, false)
}

test_paths_of_flux_objects if {
	located(control.violation) == {["fluxPruneDisabled", ["spec", "prune"]], ["fluxSuspended", ["spec", "suspend"]]} with input as flux("kustomize.toolkit.fluxcd.io/v1", "Kustomization", {"prune": false, "suspend": true})
	located(control.violation) == {["gitVerifyMissing", ["spec"]]} with input as flux("source.toolkit.fluxcd.io/v1", "GitRepository", {"url": "https://example.org/x"})
}
