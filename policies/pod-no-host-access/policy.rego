package erlmcp.controls.pod_no_host_access

import data.lib.k8s
import data.lib.violation

control_id := "pod-no-host-access"

obj := input.review.object

spec := k8s.pod_spec(obj)

safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

violation contains violation.make(control_id, "hostNamespace", obj, {"field": field}) if {
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	spec[field] == true
}

violation contains violation.make(control_id, "privilegedContainer", obj, {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	c.securityContext.privileged == true
}

violation contains violation.make(control_id, "hostPathVolume", obj, {"volume": object.get(v, "name", ""), "path": object.get(v.hostPath, "path", "")}) if {
	some v in object.get(spec, "volumes", [])
	v.hostPath
}

violation contains violation.make(control_id, "hostPort", obj, {"container": cname(c), "port": p.hostPort}) if {
	some c in k8s.all_containers(obj)
	some p in object.get(c, "ports", [])
	p.hostPort != 0
}

violation contains violation.make(control_id, "unmaskedProcMount", obj, {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	c.securityContext.procMount == "Unmasked"
}

violation contains violation.make(control_id, "hostProcess", obj, {"container": cname(c)}) if {
	some c in k8s.all_containers(obj)
	path := ["securityContext", "windowsOptions", "hostProcess"]
	object.get(c, path, object.get(spec, path, false)) == true
}

violation contains violation.make(control_id, "unsafeSysctl", obj, {"sysctl": s.name}) if {
	some s in object.get(spec, ["securityContext", "sysctls"], [])
	not safe_sysctls[s.name]
}

cname(c) := object.get(c, "name", "")
