package erlmcp.controls.sec_secret_mounts_hardened

import data.lib.k8s
import data.lib.violation

control_id := "sec-secret-mounts-hardened"

obj := input.review.object

# Kubernetes' default mode of secret and projected volumes (0644).
default_mode := 420

# Group-write and every world bit (0027).
forbidden_bits := 23

# The secret (or projected with a secret) volumes of the pod, by index in `volumes`.
secret_volumes[i] := v if {
	k8s.is_workload(obj)
	some i, v in object.get(k8s.pod_spec(obj), "volumes", [])
	is_secret_volume(v)
}

volume_path(i) := array.concat(k8s.pod_spec_path(obj), ["volumes", i])

is_secret_volume(v) if v.secret

is_secret_volume(v) if {
	some source in v.projected.sources
	source.secret
}

volume_field(v) := "secret" if v.secret

else := "projected"

# [path of the mode in the volume, item path, mode] of every item with its own mode.
item_modes(v) := [[["secret", "items", n, "mode"], item.path, item.mode] |
	some n, item in object.get(v, ["secret", "items"], [])
	is_number(item.mode)
] if v.secret

else := [[["projected", "sources", s, "secret", "items", n, "mode"], item.path, item.mode] |
	some s, source in v.projected.sources
	some n, item in object.get(source, ["secret", "items"], [])
	is_number(item.mode)
]

violation contains violation.at(control_id, "secretModeTooOpen", obj, array.concat(volume_path(i), [volume_field(v), "defaultMode"]), {"volume": v.name, "mode": format_int(mode, 8), "where": "defaultMode"}) if {
	some i, v in secret_volumes
	mode := object.get(v, [volume_field(v), "defaultMode"], default_mode)
	is_number(mode)
	bits.and(mode, forbidden_bits) != 0
}

violation contains violation.at(control_id, "secretModeTooOpen", obj, array.concat(volume_path(i), mode_path), {"volume": v.name, "mode": format_int(mode, 8), "where": concat(" ", ["item", path])}) if {
	some i, v in secret_volumes
	some [mode_path, path, mode] in item_modes(v)
	bits.and(mode, forbidden_bits) != 0
}

violation contains violation.at(control_id, "secretMountWritable", obj, array.concat(c.__path, ["volumeMounts", j, "readOnly"]), {"container": c.name, "volume": m.name}) if {
	names := {v.name | some v in secret_volumes}
	some c in k8s.all_containers(obj)
	some j, m in object.get(c, "volumeMounts", [])
	names[m.name]
	object.get(m, "readOnly", false) != true
}
