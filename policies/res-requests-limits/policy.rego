package erlmcp.controls.res_requests_limits

import data.lib.k8s

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
	v := {
		"msg": concat("", ["res-requests-limits: ", message_id, " for container ", name, " of ", obj.kind, " ", k8s.name(obj)]),
		"details": {
			"messageId": message_id,
			"data": {"container": name},
			"resource": k8s.ref(obj),
		},
	}
}
