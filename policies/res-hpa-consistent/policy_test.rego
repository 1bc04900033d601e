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

test_min_below_pdb_percentage_rounds_up if {
	vs := run([deployment("web", 5, app), pdb("41%"), hpa({})])
	[v.details.data.minAvailable | some v in vs] == [3]
}

test_erlang_quorum if {
	ids(run([deployment("web", 3, erlang), hpa({"minReplicas": 2})])) == {"minBelowQuorum"}
	count(run([deployment("web", 3, erlang), hpa({"minReplicas": 3})])) == 0
	count(run([deployment("web", 3, app), hpa({"minReplicas": 2})])) == 0
}

test_quorum_default_without_parameters if {
	ids(control.violation) == {"minBelowQuorum"} with input as {"resources": [deployment("web", 3, erlang), hpa({"minReplicas": 2})]}
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
