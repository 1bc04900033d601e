package erlmcp.controls.pod_no_host_access

import data.lib.k8s
import data.lib.violation

control_id := "pod-no-host-access"

obj := input.review.object

# Every pod spec the object carries (a custom resource's operator may run more than one), as
# [path, spec], and the containers of each (`__pod`: the index of its pod spec), read once: the wasm
# target would compute them again for every rule that reads them.
pod_specs := k8s.pod_specs(obj)

containers := k8s.pod_specs_containers(pod_specs)

safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

violation contains violation.at(control_id, "hostNamespace", obj, array.concat(spec_path, [field]), {"field": field}) if {
	some [spec_path, spec] in pod_specs
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	spec[field] == true
}

violation contains violation.at(control_id, "privilegedContainer", obj, array.concat(c.__path, ["securityContext", "privileged"]), {"container": cname(c)}) if {
	some c in containers
	c.securityContext.privileged == true
}

violation contains violation.at(control_id, "hostPathVolume", obj, array.concat(spec_path, ["volumes", i, "hostPath"]), {"volume": object.get(v, "name", ""), "path": object.get(v.hostPath, "path", "")}) if {
	some [spec_path, spec] in pod_specs
	some i, v in object.get(spec, "volumes", [])
	v.hostPath
}

# A hostPath PersistentVolume: a pod mounts it through a claim, with no hostPath in its own spec.
violation contains violation.at(control_id, "hostPathPersistentVolume", obj, ["spec", "hostPath"], {"volume": k8s.name(obj), "path": object.get(obj.spec.hostPath, "path", "")}) if {
	obj.kind == "PersistentVolume"
	obj.spec.hostPath
}

violation contains violation.at(control_id, "hostPort", obj, array.concat(c.__path, ["ports", i, "hostPort"]), {"container": cname(c), "port": p.hostPort}) if {
	some c in containers
	some i, p in object.get(c, "ports", [])
	p.hostPort != 0
}

violation contains violation.at(control_id, "unmaskedProcMount", obj, array.concat(c.__path, ["securityContext", "procMount"]), {"container": cname(c)}) if {
	some c in containers
	c.securityContext.procMount == "Unmasked"
}

violation contains violation.at(control_id, "hostProcess", obj, host_process_path(c), {"container": cname(c)}) if {
	some c in containers
	object.get(c, host_process, object.get(pod_specs[c.__pod][1], host_process, false)) == true
}

violation contains violation.at(control_id, "unsafeSysctl", obj, array.concat(spec_path, ["securityContext", "sysctls", i]), {"sysctl": s.name}) if {
	some [spec_path, spec] in pod_specs
	some i, s in object.get(spec, ["securityContext", "sysctls"], [])
	not safe_sysctls[s.name]
}

host_process := ["securityContext", "windowsOptions", "hostProcess"]

# The container's own setting when it has one, else the pod's: the field that makes it a host process.
host_process_path(c) := array.concat(c.__path, host_process) if {
	object.get(c, host_process, null) != null
} else := array.concat(pod_specs[c.__pod][0], host_process)

cname(c) := object.get(c, "name", "")
