package erlmcp.controls.res_requests_limits

import data.lib.k8s
import data.lib.violation

control_id := "res-requests-limits"

obj := input.review.object

required := {
	"cpuRequestMissing": ["requests", "cpu"],
	"memoryRequestMissing": ["requests", "memory"],
	"memoryLimitMissing": ["limits", "memory"],
}

violation contains v if {
	some c in k8s.all_containers(obj)
	c.__field != "ephemeralContainers"
	some message_id, path in required
	object.get(c, array.concat(["resources"], path), null) == null
	name := object.get(c, "name", "")
	v := violation.at(control_id, message_id, obj, array.concat(c.__path, array.concat(["resources"], path)), {"container": name})
}
