package erlmcp.controls.avl_zone_spread

import data.lib.k8s

obj := input.review.object

n := k8s.replicas(obj)

multi_replica if {
	k8s.is_workload(obj)
	obj.kind != "DaemonSet"
	n >= 2
}

has_zone_spread if {
	some c in object.get(k8s.pod_spec(obj), "topologySpreadConstraints", [])
	c.topologyKey == "topology.kubernetes.io/zone"
	c.maxSkew == 1
	c.whenUnsatisfiable == "DoNotSchedule"
	k8s.selector_matches(c.labelSelector, k8s.pod_labels(obj))
}

violation contains v if {
	multi_replica
	not has_zone_spread
	v := {
		"msg": concat("", ["avl-zone-spread: noZoneSpread for ", obj.kind, " ", k8s.name(obj)]),
		"details": {
			"messageId": "noZoneSpread",
			"data": {"kind": obj.kind, "workload": k8s.name(obj), "replicas": n},
			"resource": k8s.ref(obj),
		},
	}
}
