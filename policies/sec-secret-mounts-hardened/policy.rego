package erlmcp.controls.sec_secret_mounts_hardened

import data.lib.k8s
import data.lib.violation

control_id := "sec-secret-mounts-hardened"

obj := input.review.object

# Kubernetes' default mode of secret and projected volumes (0644).
default_mode := 420

# Group-write and every world bit (0027).
forbidden_bits := 23

secret_volumes := [v |
	k8s.is_workload(obj)
	some v in object.get(k8s.pod_spec(obj), "volumes", [])
	is_secret_volume(v)
]

is_secret_volume(v) if v.secret

is_secret_volume(v) if {
	some source in v.projected.sources
	source.secret
}

volume_source(v) := v.secret if v.secret

else := v.projected

item_modes(v) := [[item.path, item.mode] |
	some item in object.get(v, ["secret", "items"], [])
	is_number(item.mode)
] if v.secret

else := [[item.path, item.mode] |
	some source in v.projected.sources
	some item in object.get(source, ["secret", "items"], [])
	is_number(item.mode)
]

violation contains violation.make(control_id, "secretModeTooOpen", obj, {"volume": v.name, "mode": format_int(mode, 8), "where": "defaultMode"}) if {
	some v in secret_volumes
	mode := object.get(volume_source(v), "defaultMode", default_mode)
	is_number(mode)
	bits.and(mode, forbidden_bits) != 0
}

violation contains violation.make(control_id, "secretModeTooOpen", obj, {"volume": v.name, "mode": format_int(mode, 8), "where": concat(" ", ["item", path])}) if {
	some v in secret_volumes
	some [path, mode] in item_modes(v)
	bits.and(mode, forbidden_bits) != 0
}

violation contains violation.make(control_id, "secretMountWritable", obj, {"container": c.name, "volume": m.name}) if {
	names := {v.name | some v in secret_volumes}
	some c in k8s.all_containers(obj)
	some m in object.get(c, "volumeMounts", [])
	names[m.name]
	object.get(m, "readOnly", false) != true
}
