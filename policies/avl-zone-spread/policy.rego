package erlmcp.controls.avl_zone_spread

import data.lib.k8s
import data.lib.violation

control_id := "avl-zone-spread"

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
	k8s.selects_all_pods(c.labelSelector, obj)
}

violation contains v if {
	multi_replica
	not has_zone_spread
	path := array.concat(k8s.pod_spec_path(obj), ["topologySpreadConstraints"])
	v := violation.at(control_id, "noZoneSpread", obj, path, {"kind": obj.kind, "workload": k8s.name(obj), "replicas": n})
}
