package erlmcp.controls.pod_readonly_rootfs

import data.lib.k8s

obj := input.review.object

violation contains v if {
	some c in k8s.all_containers(obj)
	object.get(c, ["securityContext", "readOnlyRootFilesystem"], false) != true
	name := object.get(c, "name", "")
	v := {
		"msg": concat("", ["pod-readonly-rootfs: container ", name, " of ", obj.kind, " ", k8s.name(obj), " has a writable root filesystem"]),
		"details": {
			"messageId": "writableRootFilesystem",
			"data": {"container": name},
			"resource": k8s.ref(obj),
		},
	}
}
