package erlmcp.controls.iam_no_escalation_verbs

import data.lib.k8s
import data.lib.rbac
import data.lib.violation

control_id := "iam-no-escalation-verbs"

obj := input.review.object

write_verbs := ["create", "update", "patch", "delete", "deletecollection"]

# Pods and the workload kinds, by API group. `create` runs a pod template (image, any serviceAccountName of the
# namespace, privileged, hostPath) as its controller's pods; `update`/`patch` rewrites that template, or the image of
# a running pod's container (the image field is mutable), which then runs as the pod's ServiceAccount. The
# subresources (`deployments/scale`, `*/status`) change no template and are no workload resource here.
# `extensions` served no workload kind after Kubernetes 1.15 and the authorizer matches the group literally:
# a rule of that group grants nothing on `apps` workloads.
workload_resources := {
	"": ["pods", "replicationcontrollers"],
	"apps": ["deployments", "statefulsets", "daemonsets", "replicasets"],
	"batch": ["jobs", "cronjobs"],
	"argoproj.io": ["rollouts"],
}

# The verbs on workload_resources that run code of the holder's choosing, by message id.
workload_verbs := {"sensitiveCreate": ["create"], "workloadRewrite": ["update", "patch"]}

# Dangerous grants: verbs (empty = any verb) on resources of one API group; `label` picks what the finding lists.
targets := array.concat(
	[
		{"messageId": "escalationVerb", "label": "verb", "verbs": ["escalate", "bind"], "group": "rbac.authorization.k8s.io", "resources": ["roles", "clusterroles"]},
		{"messageId": "sensitiveCreate", "label": "resource", "verbs": ["create"], "group": "", "resources": ["serviceaccounts/token", "persistentvolumes"]},
		{"messageId": "interactiveAccess", "label": "resource", "verbs": [], "group": "", "resources": ["pods/exec", "pods/attach", "pods/portforward", "nodes/proxy"]},
		{"messageId": "interactiveAccess", "label": "resource", "verbs": ["update", "patch"], "group": "", "resources": ["pods/ephemeralcontainers"]},
		{"messageId": "csrApproval", "label": "resource", "verbs": ["update", "patch"], "group": "certificates.k8s.io", "resources": ["certificatesigningrequests/approval"]},
		{"messageId": "webhookWrite", "label": "resource", "verbs": write_verbs, "group": "admissionregistration.k8s.io", "resources": ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"]},
	],
	[t |
		some message_id, verbs in workload_verbs
		some group, resources in workload_resources
		t := {"messageId": message_id, "label": "resource", "verbs": verbs, "group": group, "resources": resources}
	],
)

hits contains [t.messageId, i, label] if {
	some i, rule in rbac.rules(obj)
	some t in targets
	rbac.matches_group(rule, t.group)
	some resource in t.resources
	rbac.matches_resource(rule, resource)
	some verb in granted_verbs(rule, t.verbs)
	label := object.get({"verb": verb, "resource": resource}, t.label, "")
}

# Impersonation is `impersonate` on users, groups, serviceaccounts, uids or userextras/<key>
# in any API group (the core group and authentication.k8s.io hold them today).
hits contains ["escalationVerb", i, "impersonate"] if {
	some i, rule in rbac.rules(obj)
	rbac.grants_impersonation(rule)
}

granted_verbs(rule, verbs) := {v | some v in verbs; rbac.grants_verb(rule, v)} if {
	count(verbs) > 0
} else := {"any"} if {
	rbac.grants_any_verb(rule)
} else := set()

violation contains v if {
	some [message_id, i, _] in hits
	grants := concat(", ", sort({h[2] | some h in hits; h[0] == message_id; h[1] == i}))
	v := violation.at(control_id, message_id, obj, ["rules", i, granted_field(message_id)], {"kind": obj.kind, "role": k8s.name(obj), "rule": i, "grants": grants})
}

# An aggregated ClusterRole that selects built-in ClusterRoles holds their rules (cluster-admin's `*`, edit's exec
# and create on pods): no manifest of the set carries them, so no rule above is judged for them.
violation contains v if {
	some i, roles in rbac.builtin_cluster_roles_aggregated(obj)
	v := violation.at(control_id, "aggregatesBuiltinRole", obj, ["aggregationRule", "clusterRoleSelectors", i], {"kind": obj.kind, "role": k8s.name(obj), "selector": i, "grants": concat(", ", roles)})
}

# The field of the rule that lists what `grants` names: the verbs for escalationVerb, else the resources.
granted_field("escalationVerb") := "verbs"

granted_field(message_id) := "resources" if message_id != "escalationVerb"
