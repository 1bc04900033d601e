package lib.k8s_test

import data.lib.k8s

privileged := {"name": "app", "image": "example/app:1.0", "securityContext": {"privileged": true}}

template := {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [privileged]}}

test_pod_is_its_own_template if {
	pod := {"kind": "Pod", "metadata": {"labels": {"app": "x"}}, "spec": {"containers": [privileged]}}
	k8s.pod_spec(pod) == pod.spec
	k8s.pod_labels(pod) == {"app": "x"}
}

test_replication_controller_and_pod_template_carry_their_template if {
	k8s.pod_template({"kind": "ReplicationController", "spec": {"template": template}}) == template
	k8s.pod_template({"kind": "PodTemplate", "template": template}) == template
	k8s.is_workload({"kind": "PodTemplate", "template": template})
}

test_cron_job_template if {
	k8s.pod_template({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}) == template
}

test_custom_resource_with_containers_is_a_workload if {
	crd := {"apiVersion": "example.com/v1", "kind": "FooRunner", "spec": {"template": template}}
	k8s.is_workload(crd)
	[c.name | some c in k8s.all_containers(crd)] == ["app"]
}

test_custom_resource_generic_paths_in_order if {
	other := {"spec": {"initContainers": [{"name": "init"}]}}
	crd := {"kind": "ScaledJob", "spec": {"jobTargetRef": {"template": other}, "podTemplate": template}}
	k8s.pod_template(crd) == other
	k8s.pod_template({"spec": {"podTemplate": template}}) == template
}

test_custom_resource_without_containers_is_not_a_workload if {
	not k8s.is_workload({"kind": "FooRunner", "spec": {"template": {"spec": {"containers": []}}}})
	not k8s.is_workload({"kind": "FooRunner", "spec": {"template": {"spec": {"containers": "app"}}}})
	not k8s.is_workload({"kind": "Widget", "spec": {"size": 3}})
	k8s.all_containers({"kind": "Widget", "spec": {"containers": [privileged]}}) == []
}

test_known_kind_reads_only_its_own_path if {
	not k8s.pod_template({"kind": "Deployment", "spec": {"podTemplate": template}})
	k8s.is_workload({"kind": "Deployment", "spec": {}})
}

test_containers_are_mappings_in_lists if {
	spec := {"containers": {"a": privileged}, "initContainers": ["x", privileged]}
	[c.__field | some c in k8s.all_containers({"kind": "Pod", "spec": spec})] == ["initContainers"]
}

test_replicas if {
	k8s.replicas({"kind": "DaemonSet", "spec": {"replicas": 5}}) == 2
	k8s.replicas({"kind": "Job", "spec": {"replicas": 5}}) == 1
	k8s.replicas({"kind": "FooRunner", "spec": {"replicas": 5}}) == 5
	k8s.replicas({"kind": "ReplicationController", "spec": {}}) == 1
}

test_selector_expressions if {
	lbls := {"app": "x", "tier": "web"}
	k8s.selector_matches(
		{"matchExpressions": [
			{"key": "app", "operator": "In", "values": ["x"]},
			{"key": "tier", "operator": "NotIn", "values": ["db"]},
			{"key": "app", "operator": "Exists"},
			{"key": "zone", "operator": "DoesNotExist"},
		]},
		lbls,
	)
	not k8s.selector_matches({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, lbls)
	k8s.map_selector_matches({"app": "x"}, lbls)
	not k8s.map_selector_matches({}, lbls)
}

test_without_nulls_drops_null_keys_at_any_depth if {
	k8s.without_nulls({"a": null, "b": {"c": null, "d": 1}, "e": [null, {"f": null, "g": 2}]}) == {"b": {"d": 1}, "e": [null, {"g": 2}]}
}

test_without_nulls_keeps_an_object_without_nulls if {
	k8s.without_nulls({"a": {"b": [1, "x"]}}) == {"a": {"b": [1, "x"]}}
}

test_last_by_identity_keeps_the_last_object_of_each_identity if {
	cm1 := {"kind": "ConfigMap", "metadata": {"namespace": "a", "name": "x"}, "data": {"v": "1"}}
	cm2 := {"kind": "ConfigMap", "metadata": {"namespace": "a", "name": "x"}, "data": {"v": "2"}}
	other_ns := {"kind": "ConfigMap", "metadata": {"namespace": "b", "name": "x"}}
	secret := {"kind": "Secret", "metadata": {"namespace": "a", "name": "x"}}
	k8s.last_by_identity([cm1, other_ns, secret, cm2]) == [other_ns, secret, cm2]
	k8s.last_by_identity([cm2, cm1]) == [cm1]
	k8s.last_by_identity([]) == []
}

test_identity_reads_non_strings_as_empty if {
	k8s.identity({"kind": "ConfigMap", "metadata": {"name": 3}}) == ["ConfigMap", "", ""]
	k8s.last_positions([{"kind": "A"}, {"kind": "A", "metadata": {"name": 1}}]) == {1}
}

test_identity_of_a_cluster_scoped_kind_has_no_namespace if {
	k8s.identity({"kind": "ClusterRole", "metadata": {"namespace": "a", "name": "x"}}) == ["ClusterRole", "", "x"]
	k8s.identity({"kind": "Role", "metadata": {"namespace": "a", "name": "x"}}) == ["Role", "a", "x"]
}

test_pod_specs_of_a_builtin_workload_is_its_template_spec if {
	deployment := {"kind": "Deployment", "spec": {"template": template, "extra": {"containers": [privileged]}}}
	k8s.pod_specs(deployment) == [[["spec", "template", "spec"], template.spec]]
}

test_pod_specs_of_a_custom_resource_are_every_mapping_with_containers if {
	volcano := {
		"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job",
		"metadata": {"annotations": {"containers": []}, "containers": []},
		"spec": {"tasks": [{"template": template}], "other": {"containers": "not a list"}},
	}
	k8s.pod_specs(volcano) == [[["spec", "tasks", 0, "template", "spec"], template.spec]]
	[[c.__path, c.__pod] | some c in k8s.pod_specs_containers(k8s.pod_specs(volcano))] == [[["spec", "tasks", 0, "template", "spec", "containers", 0], 0]]
}

test_reviewed_object_drops_nulls_unless_the_engine_checked_there_are_none if {
	object := {"a": null, "b": {"c": 1}}
	k8s.reviewed_object == {"b": {"c": 1}} with input as {"review": {"object": object}}
	k8s.reviewed_object == {"b": {"c": 1}} with input as {"review": {"object": object, "nullFree": "true"}}
	k8s.reviewed_object == object with input as {"review": {"object": object, "nullFree": true}}
}
