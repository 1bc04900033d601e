package erlmcp.controls.net_external_exposure

import data.lib.k8s

obj := input.review.object

exposed_types := {"NodePort": "nodePortService", "LoadBalancer": "loadBalancerService"}

violation contains v if {
	obj.kind == "Service"
	message_id := exposed_types[obj.spec.type]
	v := out(message_id, {"type": obj.spec.type})
}

violation contains v if {
	obj.kind == "Service"
	count(object.get(obj, ["spec", "externalIPs"], [])) > 0
	v := out("externalIps", {"ips": concat(", ", obj.spec.externalIPs)})
}

out(message_id, extra) := {
	"msg": concat("", ["net-external-exposure: ", message_id, " on Service ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": object.union({"service": k8s.name(obj)}, extra),
		"resource": k8s.ref(obj),
	},
}
