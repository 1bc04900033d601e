package erlmcp.controls.pod_restricted_context

import data.lib.k8s
import data.lib.violation

control_id := "pod-restricted-context"

# JSON null is unset (a container-level null falls back to the pod-level value).
obj := k8s.without_nulls(input.review.object)

spec := k8s.pod_spec(obj)

pod_context := object.get(spec, "securityContext", {})

allowed_volume_types := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
	"persistentVolumeClaim", "projected", "secret",
}

allowed_capabilities := {"NET_BIND_SERVICE"}

# Container-level setting, else pod-level setting, else the default.
effective(c, key, default_value) := object.get(c, ["securityContext", key], object.get(pod_context, key, default_value))

violation contains violation.make(control_id, "allowPrivilegeEscalation", obj, {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	object.get(c, ["securityContext", "allowPrivilegeEscalation"], true) != false
}

violation contains violation.make(control_id, "runAsNonRoot", obj, {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	effective(c, "runAsNonRoot", false) != true
}

violation contains violation.make(control_id, "runAsUser", obj, {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	effective(c, "runAsUser", 0) == 0
}

violation contains violation.make(control_id, "seccompProfile", obj, {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	not object.get(effective(c, "seccompProfile", {}), "type", "") in {"RuntimeDefault", "Localhost"}
}

violation contains violation.make(control_id, "capabilitiesDrop", obj, {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])
}

violation contains violation.make(control_id, "capabilitiesAdd", obj, {"container": cname(c), "capabilities": concat(", ", extra)}) if {
	some c in k8s.all_containers(obj)
	extra := sort([cap |
		some cap in object.get(c, ["securityContext", "capabilities", "add"], [])
		not allowed_capabilities[cap]
	])
	count(extra) > 0
}

violation contains violation.make(control_id, "volumeType", obj, {"volume": object.get(v, "name", ""), "type": type}) if {
	some v in object.get(spec, "volumes", [])
	some type, _ in v
	type != "name"
	not allowed_volume_types[type]
}

cname(c) := object.get(c, "name", "")
