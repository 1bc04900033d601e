package erlmcp.controls.iam_no_privileged_bindings

import data.lib.k8s
import data.lib.rbac
import data.lib.violation

control_id := "iam-no-privileged-bindings"

obj := input.review.object

privileged_roles := {"cluster-admin", "admin", "edit"}

superuser_subjects := {"system:masters"}

public_subjects := {"system:anonymous", "system:unauthenticated", "system:authenticated"}

violation contains v if {
	rbac.is_binding(obj)
	obj.roleRef.kind == "ClusterRole"
	privileged_roles[obj.roleRef.name]
	v := violation.make(control_id, "privilegedRole", obj, binding_data({"role": obj.roleRef.name}))
}

violation contains v if {
	some s in subjects
	superuser_subjects[s.name]
	v := violation.make(control_id, "superuserSubject", obj, binding_data({"subject": s.name}))
}

violation contains v if {
	some s in subjects
	public_subjects[s.name]
	v := violation.make(control_id, "publicSubject", obj, binding_data({"subject": s.name}))
}

subjects := object.get(obj, "subjects", []) if rbac.is_binding(obj)

binding_data(extra) := object.union({"kind": obj.kind, "binding": k8s.name(obj)}, extra)
