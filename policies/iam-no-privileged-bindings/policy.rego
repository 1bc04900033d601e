package erlmcp.controls.iam_no_privileged_bindings

import data.lib.k8s
import data.lib.rbac
import data.lib.violation

control_id := "iam-no-privileged-bindings"

obj := input.review.object

superuser_subjects := {"system:masters"}

public_subjects := {"system:anonymous", "system:unauthenticated", "system:authenticated"}

violation contains v if {
	rbac.is_binding(obj)
	obj.roleRef.kind == "ClusterRole"
	rbac.builtin_privileged_cluster_roles[obj.roleRef.name]
	v := violation.at(control_id, "privilegedRole", obj, ["roleRef", "name"], binding_data({"role": obj.roleRef.name}))
}

violation contains v if {
	some i, s in subjects
	superuser_subjects[s.name]
	v := violation.at(control_id, "superuserSubject", obj, ["subjects", i], binding_data({"subject": s.name}))
}

violation contains v if {
	some i, s in subjects
	public_subjects[s.name]
	v := violation.at(control_id, "publicSubject", obj, ["subjects", i], binding_data({"subject": s.name}))
}

subjects := object.get(obj, "subjects", []) if rbac.is_binding(obj)

binding_data(extra) := object.union({"kind": obj.kind, "binding": k8s.name(obj)}, extra)
