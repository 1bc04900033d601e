package erlmcp.controls.iam_no_escalation_verbs_test

import data.erlmcp.controls.iam_no_escalation_verbs as control

role(rules) := {"review": {"object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {"name": "r"},
	"rules": rules,
}}}

rule(groups, resources, verbs) := {"apiGroups": groups, "resources": resources, "verbs": verbs}

ids(vs) := {v.details.messageId | some v in vs}

grants(vs, message_id) := [v.details.data.grants | some v in vs; v.details.messageId == message_id]

test_read_only_passes if {
	count(control.violation) == 0 with input as role([rule([""], ["pods", "pods/log"], ["get", "list", "watch"])])
}

test_wrong_group_grants_nothing if {
	count(control.violation) == 0 with input as role([rule(["apps"], ["pods"], ["create"])])
}

test_explicit_escalation_verbs if {
	ids(control.violation) == {"escalationVerb"} with input as role([
		rule(["rbac.authorization.k8s.io"], ["clusterroles"], ["bind", "escalate"]),
		rule([""], ["users", "groups"], ["impersonate"]),
	])
}

test_escalation_verbs_listed if {
	grants(control.violation, "escalationVerb") == ["bind, escalate"] with input as role([rule(["rbac.authorization.k8s.io"], ["roles"], ["bind", "escalate", "get"])])
}

test_sensitive_create if {
	grants(control.violation, "sensitiveCreate") == ["cronjobs, jobs"] with input as role([rule(["batch"], ["jobs", "cronjobs"], ["create"])])
}

test_create_rollouts if {
	ids(control.violation) == {"sensitiveCreate"} with input as role([rule(["argoproj.io"], ["rollouts"], ["create"])])
}

test_interactive_access_any_verb if {
	grants(control.violation, "interactiveAccess") == ["nodes/proxy"] with input as role([rule([""], ["nodes/proxy"], ["get"])])
}

test_subresource_wildcard_exec if {
	grants(control.violation, "interactiveAccess") == ["pods/attach, pods/exec, pods/portforward"] with input as role([rule([""], ["*/exec", "*/attach", "*/portforward"], ["create"])])
}

test_empty_verbs_grant_nothing if {
	count(control.violation) == 0 with input as role([rule([""], ["pods/exec"], [])])
}

test_csr_approval if {
	ids(control.violation) == {"csrApproval"} with input as role([rule(["certificates.k8s.io"], ["certificatesigningrequests/approval"], ["patch"])])
}

test_webhook_write if {
	ids(control.violation) == {"webhookWrite"} with input as role([rule(["admissionregistration.k8s.io"], ["validatingwebhookconfigurations"], ["deletecollection"])])
}

test_webhook_read_passes if {
	count(control.violation) == 0 with input as role([rule(["admissionregistration.k8s.io"], ["validatingwebhookconfigurations"], ["get", "list"])])
}

test_full_wildcard_hits_every_clause if {
	ids(control.violation) == {"escalationVerb", "sensitiveCreate", "workloadRewrite", "interactiveAccess", "csrApproval", "webhookWrite"} with input as role([rule(["*"], ["*"], ["*"])])
}

test_other_kinds_ignored if {
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "RoleBinding", "rules": [rule(["*"], ["*"], ["*"])]}}}
}

test_impersonation_on_any_resource_of_any_group if {
	grants(control.violation, "escalationVerb") == ["impersonate"] with input as role([rule(["authentication.k8s.io"], ["uids", "userextras/scopes"], ["impersonate"])])
	grants(control.violation, "escalationVerb") == ["impersonate"] with input as role([rule(["*"], ["groups"], ["impersonate"])])
}

test_impersonate_without_resources_grants_nothing if {
	count(control.violation) == 0 with input as role([rule(["*"], [], ["impersonate"])])
}

test_ephemeral_containers_write if {
	grants(control.violation, "interactiveAccess") == ["pods/ephemeralcontainers"] with input as role([rule([""], ["pods/ephemeralcontainers"], ["update"])])
	grants(control.violation, "interactiveAccess") == ["pods/ephemeralcontainers"] with input as role([rule([""], ["*/ephemeralcontainers"], ["patch"])])
}

test_ephemeral_containers_read_passes if {
	count(control.violation) == 0 with input as role([rule([""], ["pods/ephemeralcontainers"], ["get", "list"])])
}

test_pods_slash_star_is_no_wildcard if {
	count(control.violation) == 0 with input as role([rule([""], ["pods/*"], ["create", "update"])])
}

test_impersonate_on_other_resources_is_no_impersonation if {
	count(control.violation) == 0 with input as role([rule([""], ["pods", "configmaps"], ["impersonate"])])
	grants(control.violation, "escalationVerb") == ["impersonate"] with input as role([rule(["authentication.k8s.io"], ["*/scopes"], ["impersonate"])])
}

test_paths_point_at_the_verbs_or_resources_granted if {
	paths := {[v.details.messageId, v.details.path] | some v in control.violation} with input as role([
		rule([""], ["pods"], ["get"]),
		rule(["rbac.authorization.k8s.io"], ["roles"], ["bind"]),
		rule([""], ["pods/exec"], ["create"]),
	])
	paths == {["escalationVerb", ["rules", 1, "verbs"]], ["interactiveAccess", ["rules", 2, "resources"]]}
}

test_create_replication_controllers if {
	grants(control.violation, "sensitiveCreate") == ["replicationcontrollers"] with input as role([rule([""], ["replicationcontrollers"], ["create"])])
}

test_workload_rewrite if {
	grants(control.violation, "workloadRewrite") == ["deployments"] with input as role([rule(["apps"], ["deployments"], ["get", "patch"])])
	grants(control.violation, "workloadRewrite") == ["cronjobs, jobs"] with input as role([rule(["batch"], ["jobs", "cronjobs"], ["update"])])
	grants(control.violation, "workloadRewrite") == ["replicationcontrollers"] with input as role([rule([""], ["replicationcontrollers"], ["patch"])])
	grants(control.violation, "workloadRewrite") == ["rollouts"] with input as role([rule(["argoproj.io"], ["rollouts"], ["update"])])
	ids(control.violation) == {"workloadRewrite"} with input as role([rule(["apps"], ["statefulsets", "daemonsets", "replicasets"], ["update", "patch"])])
}

test_pod_update_replaces_images if {
	grants(control.violation, "workloadRewrite") == ["pods"] with input as role([rule([""], ["pods"], ["update"])])
	ids(control.violation) == {"sensitiveCreate", "workloadRewrite"} with input as role([rule([""], ["pods"], ["*"])])
}

test_template_free_subresources_pass if {
	count(control.violation) == 0 with input as role([
		rule(["apps"], ["deployments/scale", "statefulsets/status", "replicasets/scale"], ["update", "patch"]),
		rule(["*"], ["*/scale", "*/status"], ["get", "update", "patch"]),
	])
}

test_workload_rewrite_wildcards if {
	grants(control.violation, "workloadRewrite") == ["daemonsets, deployments, replicasets, statefulsets"] with input as role([rule(["apps"], ["*"], ["patch"])])
	grants(control.violation, "workloadRewrite") == ["deployments"] with input as role([rule(["*"], ["deployments"], ["update"])])
	grants(control.violation, "workloadRewrite") == ["cronjobs, daemonsets, deployments, jobs, pods, replicasets, replicationcontrollers, rollouts, statefulsets"] with input as role([rule(["*"], ["*"], ["update"])])
}

# `extensions` serves no workload kind on supported Kubernetes versions; `*` covers `apps`.
test_extensions_group_grants_no_workload if {
	count(control.violation) == 0 with input as role([rule(["extensions"], ["deployments", "daemonsets", "replicasets"], ["create", "update", "patch"])])
}

# The authorizer compares verbs as written: `PATCH` is no `patch`.
test_verbs_are_case_sensitive if {
	count(control.violation) == 0 with input as role([rule(["apps", ""], ["deployments", "pods"], ["PATCH", "Update", "CREATE"])])
}

test_workload_rewrite_points_at_resources if {
	paths := {[v.details.messageId, v.details.path] | some v in control.violation} with input as role([
		rule([""], ["pods"], ["get"]),
		rule(["apps"], ["statefulsets"], ["patch"]),
	])
	paths == {["workloadRewrite", ["rules", 1, "resources"]]}
}

aggregated(selectors) := {"review": {"object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {"name": "r"},
	"aggregationRule": {"clusterRoleSelectors": selectors},
	"rules": [],
}}}

test_aggregates_builtin_roles if {
	grants(control.violation, "aggregatesBuiltinRole") == ["cluster-admin, edit, system:aggregate-to-edit"] with input as aggregated([{}])
	grants(control.violation, "aggregatesBuiltinRole") == ["edit"] with input as aggregated([{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}}])
	grants(control.violation, "aggregatesBuiltinRole") == ["cluster-admin"] with input as aggregated([{"matchExpressions": [{"key": "rbac.authorization.k8s.io/aggregate-to-admin", "operator": "DoesNotExist"}, {"key": "rbac.authorization.k8s.io/aggregate-to-edit", "operator": "NotIn", "values": ["true"]}]}])
}

test_aggregates_view_roles_only_passes if {
	count(control.violation) == 0 with input as aggregated([{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}, {"matchLabels": {"example.com/x": "true"}}])
}
