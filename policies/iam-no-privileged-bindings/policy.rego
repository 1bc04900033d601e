package erlmcp.controls.iam_no_privileged_bindings

import data.lib.k8s
import data.lib.rbac

obj := input.review.object

privileged_roles := {"cluster-admin", "admin", "edit"}

superuser_subjects := {"system:masters"}

public_subjects := {"system:anonymous", "system:unauthenticated", "system:authenticated"}

violation contains v if {
	rbac.is_binding(obj)
	obj.roleRef.kind == "ClusterRole"
	privileged_roles[obj.roleRef.name]
	v := out("privilegedRole", {"role": obj.roleRef.name})
}

violation contains v if {
	some s in subjects
	superuser_subjects[s.name]
	v := out("superuserSubject", {"subject": s.name})
}

violation contains v if {
	some s in subjects
	public_subjects[s.name]
	v := out("publicSubject", {"subject": s.name})
}

subjects := object.get(obj, "subjects", []) if rbac.is_binding(obj)

out(message_id, extra) := {
	"msg": concat("", ["iam-no-privileged-bindings: ", message_id, " in ", obj.kind, " ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": object.union({"kind": obj.kind, "binding": k8s.name(obj)}, extra),
		"resource": k8s.ref(obj),
	},
}
