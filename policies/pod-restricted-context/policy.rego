package erlmcp.controls.pod_restricted_context

import data.lib.k8s
import data.lib.violation

control_id := "pod-restricted-context"

# JSON null is unset (a container-level null falls back to the pod-level value).
obj := k8s.reviewed_object

# Every pod spec the object carries (a custom resource's operator may run more than one), as
# [path, spec], and the containers of each (`__pod`: the index of its pod spec), read once: the wasm
# target would compute them again for every rule that reads them.
pod_specs := k8s.pod_specs(obj)

containers := k8s.pod_specs_containers(pod_specs)

# The pod-level securityContext that applies to the container.
pod_context(c) := object.get(pod_specs[c.__pod][1], "securityContext", {})

allowed_volume_types := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
	"persistentVolumeClaim", "projected", "secret",
}

allowed_capabilities := {"NET_BIND_SERVICE"}

# Container-level setting, else pod-level setting, else the default.
effective(c, key, default_value) := object.get(c, ["securityContext", key], object.get(pod_context(c), key, default_value))

# Where the effective setting is made: the container's field when it sets it, else the pod's when it
# sets it, else the container's (missing, cut back to its closest parent).
effective_path(c, key) := array.concat(c.__path, ["securityContext", key]) if {
	object.get(c, ["securityContext", key], null) != null
} else := array.concat(pod_specs[c.__pod][0], ["securityContext", key]) if {
	object.get(pod_context(c), key, null) != null
} else := array.concat(c.__path, ["securityContext", key])

context_path(c, keys) := array.concat(c.__path, array.concat(["securityContext"], keys))

violation contains violation.at(control_id, "allowPrivilegeEscalation", obj, context_path(c, ["allowPrivilegeEscalation"]), {"container": cname(c)}) if {
	some c in containers
	object.get(c, ["securityContext", "allowPrivilegeEscalation"], true) != false
}

violation contains violation.at(control_id, "runAsNonRoot", obj, effective_path(c, "runAsNonRoot"), {"container": cname(c)}) if {
	some c in containers
	effective(c, "runAsNonRoot", false) != true
}

violation contains violation.at(control_id, "runAsUser", obj, effective_path(c, "runAsUser"), {"container": cname(c)}) if {
	some c in containers
	effective(c, "runAsUser", 0) == 0
}

violation contains violation.at(control_id, "seccompProfile", obj, array.concat(effective_path(c, "seccompProfile"), ["type"]), {"container": cname(c)}) if {
	some c in containers
	not object.get(effective(c, "seccompProfile", {}), "type", "") in {"RuntimeDefault", "Localhost"}
}

violation contains violation.at(control_id, "capabilitiesDrop", obj, context_path(c, ["capabilities", "drop"]), {"container": cname(c)}) if {
	some c in containers
	not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])
}

violation contains violation.at(control_id, "capabilitiesAdd", obj, context_path(c, ["capabilities", "add"]), {"container": cname(c), "capabilities": concat(", ", extra)}) if {
	some c in containers
	extra := sort([cap |
		some cap in object.get(c, ["securityContext", "capabilities", "add"], [])
		not allowed_capabilities[cap]
	])
	count(extra) > 0
}

violation contains violation.at(control_id, "volumeType", obj, array.concat(spec_path, ["volumes", i, type]), {"volume": object.get(v, "name", ""), "type": type}) if {
	some [spec_path, spec] in pod_specs
	some i, v in object.get(spec, "volumes", [])
	some type, _ in v
	type != "name"
	not allowed_volume_types[type]
}

# AppArmor and SELinux, as Pod Security admission checks them (baseline, so restricted too): every place a
# profile or label can be set is judged, the pod's own included, whatever a container overrides.
allowed_app_armor_types := {"RuntimeDefault", "Localhost"}

app_armor_annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

# SELinux types a container may run as (container_engine_t since Kubernetes 1.31); no user or role.
allowed_selinux_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# [where, path of its securityContext, securityContext] for the pod and each container.
security_contexts contains ["the pod", array.concat(spec_path, ["securityContext"]), object.get(spec, "securityContext", {})] if {
	some [spec_path, spec] in pod_specs
}

security_contexts contains [concat(" ", ["container", cname(c)]), array.concat(c.__path, ["securityContext"]), object.get(c, "securityContext", {})] if {
	some c in containers
}

violation contains violation.at(control_id, "appArmorProfile", obj, array.concat(path, ["appArmorProfile", "type"]), {"where": where, "profile": profile}) if {
	some [where, path, context] in security_contexts
	profile := object.get(context, ["appArmorProfile", "type"], "RuntimeDefault")
	not allowed_app_armor_types[profile]
}

# The legacy per-container annotation, still honoured: the API server fills an unset field from it.
# Each pod spec's template is the mapping that holds it as `spec` (a Pod is its own).
violation contains violation.at(control_id, "appArmorProfile", obj, array.concat(template_path, ["metadata", "annotations", key]), {"where": concat(" ", ["container", substring(key, count(app_armor_annotation_prefix), -1)]), "profile": profile}) if {
	some [spec_path, _] in pod_specs
	count(spec_path) > 0
	spec_path[count(spec_path) - 1] == "spec"
	template_path := array.slice(spec_path, 0, count(spec_path) - 1)
	some key, profile in object.get(obj, array.concat(template_path, ["metadata", "annotations"]), {})
	startswith(key, app_armor_annotation_prefix)
	not allowed_app_armor_annotation(profile)
}

allowed_app_armor_annotation(profile) if profile in {"", "runtime/default"}

allowed_app_armor_annotation(profile) if startswith(profile, "localhost/")

violation contains violation.at(control_id, "seLinuxOptions", obj, array.concat(path, ["seLinuxOptions", field]), {"where": where, "field": field, "value": value}) if {
	some [where, path, context] in security_contexts
	some field in ["type", "user", "role"]
	value := object.get(context, ["seLinuxOptions", field], "")
	not allowed_selinux(field, value)
}

allowed_selinux("type", value) if allowed_selinux_types[value]

allowed_selinux(field, "") if field in {"user", "role"}

cname(c) := object.get(c, "name", "")
