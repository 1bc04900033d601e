package erlmcp.controls.chg_gitops_pinned

import data.lib.violation

control_id := "chg-gitops-pinned"

obj := input.review.object

spec := object.get(obj, "spec", {})

allow_branches := object.get(input, ["parameters", "allowBranches"], false)

is_kind(group, kind) if {
	obj.kind == kind
	startswith(object.get(obj, "apiVersion", ""), concat("", [group, "/"]))
}

application if is_kind("argoproj.io", "Application")

violation contains violation.at(control_id, "defaultProject", obj, ["spec", "project"], {"project": project}) if {
	application
	project := object.get(spec, "project", "default")
	project == "default"
}

sources contains ["spec.source", spec.source, ["spec", "source"]] if application

sources contains [concat("", ["spec.sources[", format_int(i, 10), "]"]), src, ["spec", "sources", i]] if {
	application
	some i, src in object.get(spec, "sources", [])
}

violation contains violation.at(control_id, "unpinnedRevision", obj, array.concat(path, ["targetRevision"]), {"source": label, "revision": revision}) if {
	not allow_branches
	some [label, src, path] in sources
	revision := object.get(src, "targetRevision", "HEAD")
	not pinned(src, revision)
}

pinned(src, revision) if {
	not src.chart
	regex.match(`^([0-9a-f]{40}|v[0-9].*)$`, revision)
}

pinned(src, revision) if {
	src.chart
	regex.match(`^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$`, revision)
}

automated := object.get(spec, ["syncPolicy", "automated"], null)

sync_missing contains "syncPolicy.automated" if {
	application
	not is_object(automated)
}

sync_missing contains setting if {
	application
	is_object(automated)
	some setting in ["prune", "selfHeal"]
	object.get(automated, setting, false) != true
}

sync_missing contains "enabled" if {
	application
	automated.enabled == false
}

violation contains violation.at(control_id, "autoSyncIncomplete", obj, sync_path, {"missing": concat(", ", sort(sync_missing))}) if {
	count(sync_missing) > 0
}

# The one automated setting to change, else syncPolicy.automated itself (cut back where it is missing).
sync_path := ["spec", "syncPolicy", "automated", setting] if {
	[setting] := [s | some s in sync_missing]
	setting in {"prune", "selfHeal", "enabled"}
} else := ["spec", "syncPolicy", "automated"]

violation contains violation.at(control_id, "fluxPruneDisabled", obj, ["spec", "prune"], {}) if {
	is_kind("kustomize.toolkit.fluxcd.io", "Kustomization")
	object.get(spec, "prune", false) != true
}

violation contains violation.at(control_id, "fluxSuspended", obj, ["spec", "suspend"], {}) if {
	is_kind("kustomize.toolkit.fluxcd.io", "Kustomization")
	spec.suspend == true
}

violation contains violation.at(control_id, "gitVerifyMissing", obj, ["spec", "verify"], {}) if {
	is_kind("source.toolkit.fluxcd.io", "GitRepository")
	object.get(spec, "verify", null) == null
}
