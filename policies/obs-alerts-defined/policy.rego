package erlmcp.controls.obs_alerts_defined

import data.lib.k8s
import data.lib.violation

control_id := "obs-alerts-defined"

readiness_metrics := object.get(input, ["parameters", "readinessMetrics"], ["kube_pod_status_ready", "kube_statefulset_status_replicas_ready"])

membership_metrics := object.get(input, ["parameters", "membershipMetrics"], ["erlmcp_cluster_nodes", "erlang_vm_dist_node_state", "erlmcp_cluster_members"])

# Each alerting rule with its PrometheusRule, group name and path in the PrometheusRule.
alerts := [{"prule": p, "group": object.get(g, "name", ""), "rule": r, "path": ["spec", "groups", gi, "rules", ri]} |
	some p in input.resources
	p.kind == "PrometheusRule"
	p.apiVersion == "monitoring.coreos.com/v1"
	some gi, g in object.get(p, ["spec", "groups"], [])
	some ri, r in object.get(g, "rules", [])
	r.alert
]

erlang_workloads := [w |
	some w in input.resources
	k8s.is_erlang_node(w)
	not w.kind in {"Job", "CronJob"}
]

identities(w) := {k8s.name(w)} | {v | v := k8s.pod_labels(w)["app.kubernetes.io/name"]}

# Matched once per distinct identity rather than once per workload (copies share identities).
workload_ids := {id | some w in erlang_workloads; some id in identities(w); id != ""}

alert_exprs := {expr | some a in alerts; expr := a.rule.expr; is_string(expr)}

covered_ids(metrics) := {id |
	some id in workload_ids
	some expr in alert_exprs
	contains(expr, id)
	some metric in metrics
	contains(expr, metric)
}

readiness_covered := covered_ids(readiness_metrics)

membership_covered := covered_ids(membership_metrics)

covered(w, ids) if {
	some id in identities(w)
	ids[id]
}

# The alert is missing from the PrometheusRules, not a field of the workload: the workload as a whole.
violation contains violation.make(control_id, "noReadinessAlert", w, workload_data(w)) if {
	some w in erlang_workloads
	not covered(w, readiness_covered)
}

violation contains violation.make(control_id, "noMembershipAlert", w, workload_data(w)) if {
	some w in erlang_workloads
	not covered(w, membership_covered)
}

violation contains violation.at(control_id, "alertMissingSeverity", a.prule, array.concat(a.path, ["labels", "severity"]), alert_data(a)) if {
	some a in alerts
	missing(a.rule, ["labels", "severity"])
}

violation contains violation.at(control_id, "alertMissingSummary", a.prule, array.concat(a.path, ["annotations", "summary"]), alert_data(a)) if {
	some a in alerts
	missing(a.rule, ["annotations", "summary"])
}

violation contains violation.at(control_id, "alertMissingRunbook", a.prule, array.concat(a.path, ["annotations", "runbook_url"]), alert_data(a)) if {
	some a in alerts
	missing(a.rule, ["annotations", "runbook_url"])
}

missing(rule, path) if object.get(rule, path, "") == ""

workload_data(w) := {"kind": w.kind, "workload": k8s.name(w)}

alert_data(a) := {"rule": k8s.name(a.prule), "group": a.group, "alert": a.rule.alert}
