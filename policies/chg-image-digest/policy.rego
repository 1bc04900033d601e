package erlmcp.controls.chg_image_digest

import data.lib.k8s
import data.lib.violation

control_id := "chg-image-digest"

obj := input.review.object

allowed_registries := object.get(input, ["parameters", "allowedRegistries"], [])

# [container name, image, path of the image field].
images contains [object.get(c, "name", ""), object.get(c, "image", ""), array.concat(c.__path, ["image"])] if {
	some c in k8s.all_containers(obj)
}

violation contains violation.at(control_id, "notPinned", obj, path, {"container": container, "image": image}) if {
	some [container, image, path] in images
	not pinned(image)
}

violation contains violation.at(control_id, "latestTag", obj, path, {"container": container, "image": image}) if {
	some [container, image, path] in images
	tag(image) == "latest"
}

violation contains violation.at(control_id, "registryNotAllowed", obj, path, {"container": container, "image": image}) if {
	count(allowed_registries) > 0
	some [container, image, path] in images
	not registry_allowed(image)
}

# ^[^@]+@sha256:[a-f0-9]{64}$ in string operations (a pattern would be compiled again for every object, each
# evaluated in a fresh heap): one "@", a name before it, "sha256:" and 64 lower-case hex digits after it.
pinned(image) if {
	parts := split(image, "@")
	count(parts) == 2
	parts[0] != ""
	startswith(parts[1], "sha256:")
	digest := substring(parts[1], count("sha256:"), -1)
	count(digest) == 64
	trim_left(digest, "0123456789abcdef") == ""
}

# The tag is after the last ":" of the last path segment (a registry port has a "/" after it).
tag(image) := t if {
	segments := split(split(image, "@")[0], "/")
	last := segments[count(segments) - 1]
	contains(last, ":")
	t := split(last, ":")[1]
}

registry_allowed(image) if {
	some prefix in allowed_registries
	startswith(image, prefix)
	at_boundary(image, prefix)
}

at_boundary(_, prefix) if endswith(prefix, "/")

at_boundary(image, prefix) if substring(image, count(prefix), 1) in {"", "/", ":", "@"}
