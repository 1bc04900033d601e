package erlmcp.controls.pod_restricted_context

import data.lib.k8s
import data.lib.violation

control_id := "pod-restricted-context"

# JSON null is unset (a container-level null falls back to the pod-level value).
obj := k8s.without_nulls(input.review.object)

spec := k8s.pod_spec(obj)

spec_path := k8s.pod_spec_path(obj)

pod_context := object.get(spec, "securityContext", {})

allowed_volume_types := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
	"persistentVolumeClaim", "projected", "secret",
}

allowed_capabilities := {"NET_BIND_SERVICE"}

# Container-level setting, else pod-level setting, else the default.
effective(c, key, default_value) := object.get(c, ["securityContext", key], object.get(pod_context, key, default_value))

# Where the effective setting is made: the container's field when it sets it, else the pod's when it
# sets it, else the container's (missing, cut back to its closest parent).
effective_path(c, key) := array.concat(c.__path, ["securityContext", key]) if {
	object.get(c, ["securityContext", key], null) != null
} else := array.concat(spec_path, ["securityContext", key]) if {
	object.get(pod_context, key, null) != null
} else := array.concat(c.__path, ["securityContext", key])

context_path(c, keys) := array.concat(c.__path, array.concat(["securityContext"], keys))

violation contains violation.at(control_id, "allowPrivilegeEscalation", obj, context_path(c, ["allowPrivilegeEscalation"]), {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	object.get(c, ["securityContext", "allowPrivilegeEscalation"], true) != false
}

violation contains violation.at(control_id, "runAsNonRoot", obj, effective_path(c, "runAsNonRoot"), {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	effective(c, "runAsNonRoot", false) != true
}

violation contains violation.at(control_id, "runAsUser", obj, effective_path(c, "runAsUser"), {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	effective(c, "runAsUser", 0) == 0
}

violation contains violation.at(control_id, "seccompProfile", obj, array.concat(effective_path(c, "seccompProfile"), ["type"]), {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	not object.get(effective(c, "seccompProfile", {}), "type", "") in {"RuntimeDefault", "Localhost"}
}

violation contains violation.at(control_id, "capabilitiesDrop", obj, context_path(c, ["capabilities", "drop"]), {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])
}

violation contains violation.at(control_id, "capabilitiesAdd", obj, context_path(c, ["capabilities", "add"]), {"container": cname(c), "capabilities": concat(", ", extra)}) if {
	some c in k8s.all_containers(obj)
	extra := sort([cap |
		some cap in object.get(c, ["securityContext", "capabilities", "add"], [])
		not allowed_capabilities[cap]
	])
	count(extra) > 0
}

violation contains violation.at(control_id, "volumeType", obj, array.concat(spec_path, ["volumes", i, type]), {"volume": object.get(v, "name", ""), "type": type}) if {
	some i, v in object.get(spec, "volumes", [])
	some type, _ in v
	type != "name"
	not allowed_volume_types[type]
}

cname(c) := object.get(c, "name", "")
