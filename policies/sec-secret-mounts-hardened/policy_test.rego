package erlmcp.controls.sec_secret_mounts_hardened_test

import data.erlmcp.controls.sec_secret_mounts_hardened as control

pod(volumes, mounts) := {"review": {"object": {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p", "namespace": "erlmcp"},
	"spec": {"volumes": volumes, "containers": [{"name": "app", "volumeMounts": mounts}]},
}}}

ro(name) := {"name": name, "mountPath": "/s", "readOnly": true}

found(vs) := {[v.details.messageId, object.get(v.details.data, "mode", "")] | some v in vs}

test_owner_only_passes if {
	count(control.violation) == 0 with input as pod([{"name": "s", "secret": {"secretName": "s", "defaultMode": 256, "items": [{"key": "k", "path": "k", "mode": 288}]}}], [ro("s")])
	count(control.violation) == 0 with input as pod([{"name": "s", "projected": {"defaultMode": 288, "sources": [{"secret": {"name": "s", "items": [{"key": "k", "path": "k", "mode": 256}]}}]}}], [ro("s")])
}

test_unset_default_mode_is_world_readable if {
	found(control.violation) == {["secretModeTooOpen", "644"]} with input as pod([{"name": "s", "secret": {"secretName": "s"}}], [ro("s")])
}

test_item_modes if {
	found(control.violation) == {["secretModeTooOpen", "660"]} with input as pod([{"name": "s", "secret": {"secretName": "s", "defaultMode": 256, "items": [{"key": "k", "path": "k", "mode": 432}]}}], [ro("s")])
	found(control.violation) == {["secretModeTooOpen", "604"]} with input as pod([{"name": "s", "projected": {"defaultMode": 256, "sources": [{"secret": {"name": "s", "items": [{"key": "k", "path": "k", "mode": 388}]}}]}}], [ro("s")])
}

test_writable_mount_fails if {
	found(control.violation) == {["secretMountWritable", ""]} with input as pod([{"name": "s", "secret": {"secretName": "s", "defaultMode": 256}}], [{"name": "s", "mountPath": "/s"}])
}

test_other_volumes_ignored if {
	count(control.violation) == 0 with input as pod([{"name": "c", "configMap": {"name": "c"}}, {"name": "p", "projected": {"sources": [{"configMap": {"name": "c"}}]}}], [{"name": "c", "mountPath": "/c"}])
	count(control.violation) == 0 with input as {"review": {"object": {"kind": "Secret", "metadata": {"name": "s"}}}}
}

test_paths_point_at_the_mode_and_the_mount if {
	vs := control.violation with input as pod(
		[
			{"name": "c", "configMap": {"name": "c"}},
			{"name": "s", "secret": {"secretName": "s"}},
			{"name": "p", "projected": {"defaultMode": 256, "sources": [{"configMap": {"name": "c"}}, {"secret": {"name": "s", "items": [{"key": "k", "path": "k", "mode": 511}]}}]}},
		],
		[ro("c"), {"name": "s", "mountPath": "/s"}, ro("p")],
	)
	{v.details.path | some v in vs} == {
		["spec", "volumes", 1, "secret"],
		["spec", "volumes", 2, "projected", "sources", 1, "secret", "items", 0, "mode"],
		["spec", "containers", 0, "volumeMounts", 1],
	}
}
