package erlmcp.controls.pod_no_host_access

import data.lib.k8s

obj := input.review.object

spec := k8s.pod_spec(obj)

safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

violation contains out("hostNamespace", {"field": field}) if {
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	spec[field] == true
}

violation contains out("privilegedContainer", {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	c.securityContext.privileged == true
}

violation contains out("hostPathVolume", {"volume": object.get(v, "name", "")}) if {
	some v in object.get(spec, "volumes", [])
	v.hostPath
}

violation contains out("hostPort", {"container": cname(c), "port": p.hostPort}) if {
	some c in k8s.all_containers(obj)
	some p in object.get(c, "ports", [])
	p.hostPort != 0
}

violation contains out("unmaskedProcMount", {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	c.securityContext.procMount == "Unmasked"
}

violation contains out("hostProcess", {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	path := ["securityContext", "windowsOptions", "hostProcess"]
	object.get(c, path, object.get(spec, path, false)) == true
}

violation contains out("unsafeSysctl", {"sysctl": s.name}) if {
	some s in object.get(spec, ["securityContext", "sysctls"], [])
	not safe_sysctls[s.name]
}

cname(c) := object.get(c, "name", "")

out(message_id, extra) := {
	"msg": concat("", ["pod-no-host-access: ", message_id, " in ", obj.kind, " ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": extra,
		"resource": k8s.ref(obj),
	},
}
