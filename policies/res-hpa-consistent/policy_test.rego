package erlmcp.controls.res_hpa_consistent_test

import data.erlmcp.controls.res_hpa_consistent as control

deployment(name, replicas, container) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": name, "namespace": "erlmcp"},
	"spec": {
		"replicas": replicas,
		"selector": {"matchLabels": {"app": name}},
		"template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}},
	},
}

app := {"name": "app", "resources": {"requests": {"cpu": "100m", "memory": "1Gi"}}}

erlang := {"name": "node", "ports": [{"name": "epmd", "containerPort": 4369}]}

hpa(spec) := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": "h", "namespace": "erlmcp"},
	"spec": object.union({"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 3, "maxReplicas": 6}, spec),
}

pdb(min_available) := {
	"apiVersion": "policy/v1",
	"kind": "PodDisruptionBudget",
	"metadata": {"name": "p", "namespace": "erlmcp"},
	"spec": {"minAvailable": min_available, "selector": {"matchLabels": {"app": "web"}}},
}

cpu := [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]

run(resources) := vs if {
	vs := control.violation with input as {"resources": resources, "parameters": {"minQuorum": 3}}
}

ids(vs) := {v.details.messageId | some v in vs}

test_consistent_hpa_passes if {
	count(run([deployment("web", 4, app), pdb(2), pdb("50%"), hpa({"metrics": cpu})])) == 0
}

test_missing_target_fails if {
	vs := run([deployment("other", 2, app), hpa({})])
	[v.details.data.target | some v in vs] == ["Deployment/web"]
}

test_target_in_other_namespace_fails if {
	ids(run([object.union(deployment("web", 2, app), {"metadata": {"name": "web", "namespace": "x"}}), hpa({})])) == {"targetMissing"}
}

test_max_not_above_min_fails if {
	ids(run([deployment("web", 2, app), hpa({"maxReplicas": 3})])) == {"maxNotAboveMin"}
}

test_min_below_pdb_int_fails if {
	ids(run([deployment("web", 4, app), pdb(3), hpa({})])) == {"minBelowPdb"}
}

# A percentage is taken of the size at minReplicas (3): 67% -> 3, 41% -> 2.
test_min_below_pdb_percentage_rounds_up if {
	vs := run([deployment("web", 5, app), pdb("67%"), hpa({})])
	[v.details.data.minAvailable | some v in vs] == [3]
	count(run([deployment("web", 5, app), pdb("41%"), hpa({})])) == 0
}

test_erlang_quorum if {
	ids(run([deployment("web", 3, erlang), hpa({"minReplicas": 1, "maxReplicas": 7})])) == {"minBelowQuorum"}
	count(run([deployment("web", 3, erlang), hpa({"minReplicas": 3, "maxReplicas": 7})])) == 0
	count(run([deployment("web", 3, app), hpa({"minReplicas": 2})])) == 0
}

test_quorum_default_without_parameters if {
	ids(control.violation) == {"minBelowQuorum"} with input as {"resources": [deployment("web", 3, erlang), hpa({"minReplicas": 1, "maxReplicas": 7})]}
}

test_resource_metric_without_request_fails if {
	vs := run([deployment("web", 2, {"name": "app"}), hpa({"metrics": cpu})])
	[[v.details.data.metric, v.details.data.container] | some v in vs] == [["cpu", "app"]]
}

test_container_resource_metric_checks_only_that_container if {
	metric := [{"type": "ContainerResource", "containerResource": {"name": "memory", "container": "app"}}]
	count(run([deployment("web", 2, app), hpa({"metrics": metric})])) == 0
	ids(run([deployment("web", 2, {"name": "app"}), hpa({"metrics": metric})])) == {"metricWithoutRequest"}
}

test_v1_cpu_target if {
	v1 := object.union(hpa({}), {"apiVersion": "autoscaling/v1", "spec": {"targetCPUUtilizationPercentage": 50}})
	ids(run([deployment("web", 2, {"name": "app"}), v1])) == {"metricWithoutRequest"}
}

test_even_bounds_of_an_erlang_workload if {
	vs := run([deployment("web", 3, erlang), hpa({"minReplicas": 4, "maxReplicas": 6})])
	{[v.details.messageId, v.details.data.bound] | some v in vs} == {["evenBound", "minReplicas"], ["evenBound", "maxReplicas"]}
	count(control.violation) == 0 with input as {
		"resources": [deployment("web", 3, erlang), hpa({"minReplicas": 4, "maxReplicas": 6})],
		"parameters": {"requireOdd": false},
	}
}

# A Deployment without replicas (1) that the HPA scales to 3..6 needs anti-affinity and a zone spread.
test_scaled_workload_needs_anti_affinity_and_zone_spread if {
	web := json.remove(deployment("web", 1, app), ["spec/replicas"])
	ids(run([web, hpa({})])) == {"scaledWithoutAntiAffinity", "scaledWithoutZoneSpread"}
	count(run([web, hpa({"minReplicas": 1, "maxReplicas": 1})])) == 1
}

test_scaled_workload_with_anti_affinity_and_zone_spread_passes if {
	sel := {"matchLabels": {"app": "web"}}
	spec := {
		"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "kubernetes.io/hostname", "labelSelector": sel}]}},
		"topologySpreadConstraints": [{"topologyKey": "topology.kubernetes.io/zone", "maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": sel}],
		"containers": [app],
	}
	web := object.union(json.remove(deployment("web", 1, app), ["spec/replicas"]), {"spec": {"template": {"spec": spec}}})
	count(run([web, hpa({})])) == 0
}

located(vs) := {[v.details.messageId, v.details.path] | some v in vs}

test_paths_point_at_the_hpa_field_to_change if {
	located(run([deployment("other", 2, app), hpa({})])) == {["targetMissing", ["spec", "scaleTargetRef"]]}
	located(run([deployment("web", 4, app), pdb(3), hpa({"maxReplicas": 3})])) == {
		["maxNotAboveMin", ["spec", "maxReplicas"]],
		["minBelowPdb", ["spec", "minReplicas"]],
	}
	located(run([deployment("web", 3, erlang), hpa({"minReplicas": 1, "maxReplicas": 7})])) == {["minBelowQuorum", ["spec", "minReplicas"]]}
	located(run([deployment("web", 3, erlang), hpa({"maxReplicas": 6})])) == {["evenBound", ["spec", "maxReplicas"]]}
	memory := {"type": "Resource", "resource": {"name": "memory"}}
	cpu_only := {"name": "app", "resources": {"requests": {"cpu": "100m"}}}
	located(run([deployment("web", 2, cpu_only), hpa({"metrics": array.concat(cpu, [memory])})])) == {["metricWithoutRequest", ["spec", "metrics", 1]]}
	located(run([json.remove(deployment("web", 1, app), ["spec/replicas"]), hpa({})])) == {
		["scaledWithoutAntiAffinity", ["spec", "maxReplicas"]],
		["scaledWithoutZoneSpread", ["spec", "maxReplicas"]],
	}
}

test_path_of_a_v1_cpu_target if {
	v1 := object.union(hpa({}), {"apiVersion": "autoscaling/v1", "spec": {"targetCPUUtilizationPercentage": 50}})
	located(run([deployment("web", 2, {"name": "app"}), v1])) == {["metricWithoutRequest", ["spec", "targetCPUUtilizationPercentage"]]}
}
