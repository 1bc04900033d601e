# chg-job-upgrade-safe: object scope. A Job's pod template is immutable, so each tool that re-applies
# it must replace it (hook, Force+Replace, Flux force) rather than patch it; and no Job is declared
# suspended, which GitOps self-heal would re-apply over a running operation.
package erlmcp.controls.chg_job_upgrade_safe

import data.lib.k8s
import data.lib.violation

control_id := "chg-job-upgrade-safe"

obj := input.review.object

violation contains violation.at(control_id, "suspendedJob", obj, ["spec", "suspend"], {"name": k8s.name(obj)}) if {
	applied_from_manifests(obj)
	object.get(obj, ["spec", "suspend"], false) == true
}

violation contains violation.at(control_id, "jobReplacedInPlace", obj, ["metadata", "annotations"], {"name": k8s.name(obj), "missing": concat(", ", missing)}) if {
	applied_from_manifests(obj)
	missing := [tool | some tool in ["Helm", "Argo CD", "Flux"]; not replaced_by(obj, tool)]
	count(missing) > 0
}

# A Job created by a controller (a CronJob, `kubectl create job --from`) is in no manifest.
applied_from_manifests(o) if {
	not controller_owned(o)
}

controller_owned(o) if {
	refs := object.get(o, ["metadata", "ownerReferences"], [])
	is_array(refs)
	some r in refs
	is_object(r)
	r.controller == true
}

# The annotation's value; "" when absent or not a string.
annotation(o, key) := v if {
	v := object.get(o, ["metadata", "annotations", key], "")
	is_string(v)
} else := ""

# The comma-separated entries of an annotation, trimmed.
entries(o, key) := {e |
	some part in split(annotation(o, key), ",")
	e := trim_space(part)
	e != ""
}

helm_rendered(o) if {
	chart := object.get(o, ["metadata", "labels", "helm.sh/chart"], "")
	is_string(chart)
	chart != ""
}

helm_rendered(o) if object.get(o, ["metadata", "labels", "app.kubernetes.io/managed-by"], "") == "Helm"

helm_names := {"before-hook-creation": "BeforeHookCreation", "hook-succeeded": "HookSucceeded", "hook-failed": "HookFailed"}

helm_policies(o) := {helm_names[p] | some p in entries(o, "helm.sh/hook-delete-policy"); helm_names[p]}

# Argo CD reads its own delete policies and those of a Helm hook it maps.
argo_policies(o) := entries(o, "argocd.argoproj.io/hook-delete-policy") | helm_policies(o)

# The previous run is gone before the next release creates the hook again (none set: the
# tools' default, before-hook-creation).
deletes_previous(policies) if count(policies) == 0

deletes_previous(policies) if "BeforeHookCreation" in policies

deletes_previous(policies) if {
	"HookSucceeded" in policies
	"HookFailed" in policies
}

replaced_by(o, "Helm") if not helm_rendered(o)

replaced_by(o, "Helm") if {
	annotation(o, "helm.sh/hook") != ""
	deletes_previous(helm_policies(o))
}

replaced_by(o, "Argo CD") if {
	argo_hook(o)
	deletes_previous(argo_policies(o))
}

replaced_by(o, "Argo CD") if {
	options := entries(o, "argocd.argoproj.io/sync-options")
	"Replace=true" in options
	"Force=true" in options
}

replaced_by(o, "Flux") if annotation(o, "kustomize.toolkit.fluxcd.io/force") == "enabled"

argo_hook(o) if annotation(o, "argocd.argoproj.io/hook") != ""

argo_hook(o) if annotation(o, "helm.sh/hook") != ""
