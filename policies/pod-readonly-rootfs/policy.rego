package erlmcp.controls.pod_readonly_rootfs

import data.lib.k8s
import data.lib.violation

control_id := "pod-readonly-rootfs"

obj := input.review.object

violation contains v if {
	some c in k8s.all_containers(obj)
	object.get(c, ["securityContext", "readOnlyRootFilesystem"], false) != true
	name := object.get(c, "name", "")
	v := violation.at(control_id, "writableRootFilesystem", obj, array.concat(c.__path, ["securityContext", "readOnlyRootFilesystem"]), {"container": name})
}
