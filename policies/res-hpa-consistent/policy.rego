package erlmcp.controls.res_hpa_consistent

import data.erlmcp.controls.avl_anti_affinity as anti_affinity
import data.erlmcp.controls.avl_zone_spread as zone_spread
import data.lib.k8s
import data.lib.violation

control_id := "res-hpa-consistent"

min_quorum := object.get(input, ["parameters", "minQuorum"], 3)

hpas contains hpa if {
	some hpa in input.resources
	hpa.kind == "HorizontalPodAutoscaler"
}

min_replicas(hpa) := object.get(hpa, ["spec", "minReplicas"], 1)

scale_ref(hpa) := object.get(hpa, ["spec", "scaleTargetRef"], {})

# The workloads the HPA scales, looked up in an index built once (read whole with object.get, whose
# path here is one key: a [namespace, kind, name] triple).
targets(hpa) := object.get(
	workloads_by_ref, [[
		k8s.namespace(hpa),
		object.get(scale_ref(hpa), "kind", null),
		object.get(scale_ref(hpa), "name", null),
	]],
	set(),
)

workloads_by_ref[[k8s.namespace(w), w.kind, k8s.name(w)]] contains w if {
	some w in input.resources
	k8s.is_workload(w)
}

# The PodDisruptionBudgets of the set by namespace.
pdbs_in[k8s.namespace(pdb)] contains pdb if {
	some pdb in input.resources
	pdb.kind == "PodDisruptionBudget"
}

violation contains violation.at(control_id, "targetMissing", hpa, ["spec", "scaleTargetRef"], {"target": target}) if {
	some hpa in hpas
	count(targets(hpa)) == 0
	target := concat("/", [object.get(scale_ref(hpa), "kind", ""), object.get(scale_ref(hpa), "name", "")])
}

violation contains violation.at(control_id, "maxNotAboveMin", hpa, ["spec", "maxReplicas"], {"min": min_replicas(hpa), "max": max}) if {
	some hpa in hpas
	max := object.get(hpa, ["spec", "maxReplicas"], 0)
	max <= min_replicas(hpa)
}

violation contains violation.at(control_id, "minBelowPdb", hpa, ["spec", "minReplicas"], {"min": min_replicas(hpa), "pdb": k8s.name(pdb), "minAvailable": min_available}) if {
	some hpa in hpas
	some w in targets(hpa)
	some pdb in object.get(pdbs_in, k8s.namespace(w), set())
	k8s.may_select_pods(pdb.spec.selector, w)
	min_available := pdb_min_available(pdb.spec.minAvailable, hpa)
	min_replicas(hpa) < min_available + 1
}

pdb_min_available(value, _) := value if is_number(value)

# A percentage is taken of the size the HPA may scale the workload down to, its minReplicas.
pdb_min_available(value, hpa) := ceil((to_number(trim_suffix(value, "%")) * min_replicas(hpa)) / 100) if {
	is_string(value)
	endswith(value, "%")
}

violation contains violation.at(control_id, "minBelowQuorum", hpa, ["spec", "minReplicas"], {"min": min_replicas(hpa), "quorum": min_quorum}) if {
	some hpa in hpas
	some w in targets(hpa)
	k8s.is_erlang_node(w)
	min_replicas(hpa) < min_quorum
}

# [resource name, container name or "" for all main containers, path of the metric in the HPA] the
# HPA computes utilisation from.
measured(hpa) := array.concat(
	[array.concat(source, [["spec", "metrics", i]]) | some i, m in object.get(hpa, ["spec", "metrics"], []); source := metric_source(m)],
	[["cpu", "", ["spec", "targetCPUUtilizationPercentage"]] | hpa.spec.targetCPUUtilizationPercentage],
)

metric_source(m) := [m.resource.name, ""] if m.type == "Resource"

metric_source(m) := [m.containerResource.name, m.containerResource.container] if m.type == "ContainerResource"

violation contains violation.at(control_id, "metricWithoutRequest", hpa, path, {"metric": metric, "container": cname}) if {
	some hpa in hpas
	some w in targets(hpa)
	some [metric, container, path] in measured(hpa)
	some c in k8s.main_containers(w)
	cname := object.get(c, "name", "")
	container in {"", cname}
	object.get(c, ["resources", "requests", metric], null) == null
}

require_odd := object.get(input, ["parameters", "requireOdd"], true)

allow_preferred := object.get(input, ["parameters", "allowPreferred"], false)

max_replicas(hpa) := object.get(hpa, ["spec", "maxReplicas"], 0)

violation contains violation.at(control_id, "evenBound", hpa, ["spec", bound], {"bound": bound, "value": value, "workload": k8s.name(w)}) if {
	require_odd
	some hpa in hpas
	some w in targets(hpa)
	k8s.is_erlang_node(w)
	some [bound, value] in [["minReplicas", min_replicas(hpa)], ["maxReplicas", max_replicas(hpa)]]
	value % 2 == 0
}

# The object-scope controls judge the declared replicas; here, where the HPA is visible, their own
# rules judge the workload at the HPA's maxReplicas when its declared replicas stay below 2.
scaled_input(w, hpa) := {
	"review": {"object": object.union(w, {"spec": {"replicas": max_replicas(hpa)}})},
	"parameters": {"allowPreferred": allow_preferred},
}

scaled_above_one(hpa, w) if {
	w.kind in {"Deployment", "StatefulSet", "ReplicaSet", "Rollout"}
	k8s.replicas(w) < 2
	max_replicas(hpa) >= 2
}

violation contains violation.at(control_id, "scaledWithoutAntiAffinity", hpa, ["spec", "maxReplicas"], {"workload": k8s.name(w), "max": max_replicas(hpa)}) if {
	some hpa in hpas
	some w in targets(hpa)
	scaled_above_one(hpa, w)
	scaled := scaled_input(w, hpa)
	count(anti_affinity.violation) > 0 with input as scaled
}

violation contains violation.at(control_id, "scaledWithoutZoneSpread", hpa, ["spec", "maxReplicas"], {"workload": k8s.name(w), "max": max_replicas(hpa)}) if {
	some hpa in hpas
	some w in targets(hpa)
	scaled_above_one(hpa, w)
	scaled := scaled_input(w, hpa)
	count(zone_spread.violation) > 0 with input as scaled
}
