package erlmcp.controls.chg_image_digest_test

import data.erlmcp.controls.chg_image_digest as control

digest := "@sha256:4f7d2b9c1e3a5f7b9d1c3e5a7f9b1d3c5e7a9f1b3d5c7e9a1f3b5d7c9e1a3f5b"

pod(image, registries) := {
	"review": {"object": {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "p", "namespace": "erlmcp"},
		"spec": {"containers": [{"name": "app", "image": image}]},
	}},
	"parameters": {"allowedRegistries": registries},
}

ids(vs) := {v.details.messageId | some v in vs}

test_digest_with_tag_passes if {
	count(control.violation) == 0 with input as pod(concat("", ["ghcr.io/erlmcp/erlmcp:3.0.0", digest]), [])
}

test_digest_with_registry_port_passes if {
	count(control.violation) == 0 with input as pod(concat("", ["registry.local:5000/erlmcp", digest]), ["registry.local:5000"])
}

test_tag_only_fails if {
	ids(control.violation) == {"notPinned"} with input as pod("ghcr.io/erlmcp/erlmcp:3.0.0", [])
}

test_no_tag_fails if {
	ids(control.violation) == {"notPinned"} with input as pod("registry.local:5000/erlmcp", [])
}

test_short_digest_fails if {
	ids(control.violation) == {"notPinned"} with input as pod("erlmcp@sha256:abc", [])
}

test_latest_without_digest_fails_twice if {
	ids(control.violation) == {"notPinned", "latestTag"} with input as pod("erlmcp:latest", [])
}

test_latest_with_digest_fails if {
	ids(control.violation) == {"latestTag"} with input as pod(concat("", ["erlmcp:latest", digest]), [])
}

test_registry_prefix_boundary if {
	ids(control.violation) == {"registryNotAllowed"} with input as pod(concat("", ["ghcr.io/erlmcp-evil/x", digest]), ["ghcr.io/erlmcp"])
}

test_registry_prefix_with_slash if {
	count(control.violation) == 0 with input as pod(concat("", ["ghcr.io/erlmcp/x", digest]), ["docker.io/", "ghcr.io/erlmcp/"])
}

test_no_parameters_means_any_registry if {
	count(control.violation) == 0 with input as {"review": pod(concat("", ["x", digest]), []).review}
}

test_paths_point_at_each_image_field if {
	input_ := {"review": {"object": {
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": {"name": "d", "namespace": "erlmcp"},
		"spec": {"template": {"spec": {
			"containers": [{"name": "app", "image": concat("", ["ghcr.io/erlmcp/erlmcp", digest])}, {"name": "side", "image": "busybox:latest"}],
			"initContainers": [{"name": "init"}],
		}}},
	}}}
	vs := control.violation with input as input_
	{[v.details.messageId, v.details.path] | some v in vs} == {
		["notPinned", ["spec", "template", "spec", "containers", 1, "image"]],
		["latestTag", ["spec", "template", "spec", "containers", 1, "image"]],
		["notPinned", ["spec", "template", "spec", "initContainers", 0]],
	}
}

# pinned is the pattern ^[^@]+@sha256:[a-f0-9]{64}$ in string operations: both agree on each edge.
digest_hex := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

digest_cases := [
	concat("", ["a@sha256:", digest_hex]),
	concat("", ["a\nb@sha256:", digest_hex]),
	concat("", ["@sha256:", digest_hex]),
	concat("", ["a@b@sha256:", digest_hex]),
	concat("", ["a@sha256:", digest_hex, "0"]),
	concat("", ["a@sha256:", upper(digest_hex)]),
	concat("", ["a@sha256:", digest_hex, "\n"]),
	concat("", ["a@sha256:", substring(digest_hex, 1, -1), "é"]),
	concat("", ["a@sha256:", substring(digest_hex, 1, -1), "g"]),
	concat("", ["a@sha512:", digest_hex]),
	"a:1.0",
	"",
]

test_pinned_is_the_digest_pattern if {
	pinned := {c | some c in digest_cases; control.pinned(c)}
	count(pinned) == 2
	pinned == {c | some c in digest_cases; regex.match(`^[^@]+@sha256:[a-f0-9]{64}$`, c)}
}
