package lib.k8s_erlang_test

import data.lib.k8s

# container_is_erlang is one else-chain (the wasm target evaluates every body of a multi-body function):
# each way a container is an Erlang node's holds alone, and none holds without one.
test_container_is_erlang_each_way if {
	k8s.container_is_erlang({"ports": [{"name": "http", "containerPort": 8080}, {"containerPort": 4369}]})
	k8s.container_is_erlang({"ports": [{"name": "dist", "containerPort": 9100}]})
	k8s.container_is_erlang({"env": [{"name": "RELEASE_COOKIE", "value": "x"}]})
	k8s.container_is_erlang({"env": [{"name": "ERL_AFLAGS", "value": "-sname a"}]})
	k8s.container_is_erlang({"env": [{"name": "ERL_FLAGS", "value": "+K true -name a@b"}]})
}

test_container_is_erlang_needs_one_way if {
	not k8s.container_is_erlang({"ports": [{"name": "http", "containerPort": 8080}], "env": [{"name": "A", "value": "-sname a"}]})
	not k8s.container_is_erlang({"env": [{"name": "ERL_FLAGS", "value": "-names a"}]})
	not k8s.container_is_erlang({"env": [{"name": "ERL_ZFLAGS", "value": "-sname a"}]})
	not k8s.container_is_erlang({})
}

# is_erlang_node reads the containers in place: every container list counts, items that are not
# mappings do not, and an object without a pod template is no node.
test_is_erlang_node_reads_every_container_list if {
	epmd := {"name": "vm", "ports": [{"containerPort": 4369}]}
	k8s.is_erlang_node({"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "a"}, epmd]}}}})
	k8s.is_erlang_node({"kind": "Pod", "spec": {"containers": [{"name": "a"}], "initContainers": [epmd]}})
	k8s.is_erlang_node({"kind": "Pod", "spec": {"containers": [{"name": "a"}], "ephemeralContainers": [epmd]}})
	not k8s.is_erlang_node({"kind": "Pod", "spec": {"containers": ["vm", {"name": "a"}]}})
	not k8s.is_erlang_node({"kind": "ConfigMap", "spec": {"containers": [epmd]}})
}

# all_containers gives each container its field and its path from the template's path.
test_all_containers_paths if {
	obj := {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "i"}]}}}}
	[[c.name, c.__field, c.__path] | some c in k8s.all_containers(obj)] == [
		["a", "containers", ["spec", "template", "spec", "containers", 0]],
		["i", "initContainers", ["spec", "template", "spec", "initContainers", 0]],
	]
}
