package erlmcp.controls.obs_alerts_defined_test

import data.erlmcp.controls.obs_alerts_defined as control

sts := {
	"apiVersion": "apps/v1",
	"kind": "StatefulSet",
	"metadata": {"name": "erlmcp-cluster", "namespace": "erlmcp"},
	"spec": {"template": {
		"metadata": {"labels": {"app.kubernetes.io/name": "erlmcp"}},
		"spec": {"containers": [{"name": "erlmcp", "ports": [{"name": "epmd", "containerPort": 4369}]}]},
	}},
}

alert(name, expr) := {
	"alert": name,
	"expr": expr,
	"labels": {"severity": "critical"},
	"annotations": {"summary": "s", "runbook_url": "https://runbooks.example/erlmcp"},
}

rule(alerts) := {
	"apiVersion": "monitoring.coreos.com/v1",
	"kind": "PrometheusRule",
	"metadata": {"name": "erlmcp", "namespace": "erlmcp"},
	"spec": {"groups": [{"name": "erlmcp", "rules": array.concat([{"record": "x", "expr": "up"}], alerts)}]},
}

ready := alert("ErlmcpNotReady", `kube_statefulset_status_replicas_ready{statefulset="erlmcp-cluster"} < 3`)

member := alert("ErlmcpSplit", `min(erlmcp_cluster_nodes{job="erlmcp"}) < 3`)

run(resources) := {v.details.messageId | some v in control.violation with input as {"resources": resources}}

test_covered_cluster_passes if {
	run([sts, rule([ready, member])]) == set()
}

test_no_erlang_workload_needs_no_rule if {
	run([]) == set()
}

test_erlang_job_ignored if {
	run([object.union(sts, {"kind": "Job"})]) == set()
}

test_no_rule_fails_both if {
	run([sts]) == {"noReadinessAlert", "noMembershipAlert"}
}

test_readiness_of_other_workload_fails if {
	run([sts, rule([alert("X", `kube_pod_status_ready{pod=~"gateway-.*"} == 0`), member])]) == {"noReadinessAlert"}
}

test_membership_missing_fails if {
	run([sts, rule([ready])]) == {"noMembershipAlert"}
}

test_custom_membership_metric if {
	count(control.violation) == 0 with input as {
		"resources": [sts, rule([ready, alert("M", `my_members{app="erlmcp"} < 3`)])],
		"parameters": {"membershipMetrics": ["my_members"]},
	}
}

test_missing_severity_fails if {
	run([sts, rule([ready, object.remove(member, ["labels"])])]) == {"alertMissingSeverity"}
}

test_missing_summary_fails if {
	run([sts, rule([ready, object.union(member, {"annotations": {"summary": "", "runbook_url": "u"}})])]) == {"alertMissingSummary"}
}

test_missing_runbook_fails if {
	run([sts, rule([ready, object.union(object.remove(member, ["annotations"]), {"annotations": {"summary": "s"}})])]) == {"alertMissingRunbook"}
}

located(resources) := {[v.details.messageId, v.details.resource.kind, v.details.path] | some v in control.violation with input as {"resources": resources}}

test_paths_point_at_the_alert_rule_field_to_change if {
	bare := {"alert": "ErlmcpSplit", "expr": `min(erlmcp_cluster_nodes{job="erlmcp"}) < 3`, "annotations": {"summary": ""}}
	located([sts, rule([ready, bare])]) == {
		["alertMissingSeverity", "PrometheusRule", ["spec", "groups", 0, "rules", 2]],
		["alertMissingSummary", "PrometheusRule", ["spec", "groups", 0, "rules", 2, "annotations", "summary"]],
		["alertMissingRunbook", "PrometheusRule", ["spec", "groups", 0, "rules", 2, "annotations"]],
	}
	located([sts, rule([ready])]) == {["noMembershipAlert", "StatefulSet", []]}
}
