package erlmcp.controls.net_external_exposure

import data.lib.k8s
import data.lib.violation

control_id := "net-external-exposure"

obj := input.review.object

exposed_types := {"NodePort": "nodePortService", "LoadBalancer": "loadBalancerService"}

violation contains v if {
	obj.kind == "Service"
	message_id := exposed_types[obj.spec.type]
	v := violation.at(control_id, message_id, obj, ["spec", "type"], service_data({"type": obj.spec.type}))
}

violation contains v if {
	obj.kind == "Service"
	count(object.get(obj, ["spec", "externalIPs"], [])) > 0
	v := violation.at(control_id, "externalIps", obj, ["spec", "externalIPs"], service_data({"ips": concat(", ", obj.spec.externalIPs)}))
}

service_data(extra) := object.union({"service": k8s.name(obj)}, extra)
