# avl-job-sidecar-completes: a Job or CronJob whose pods get Istio's sidecar as an ordinary container
# (which never exits) never completes, nor does a bare Pod meant to run to completion. Injection is
# decided as Istio's sidecar injector webhooks decide it, from the labels of the pod template and of
# its Namespace object in the set.
package erlmcp.controls.avl_job_sidecar_completes

import data.lib.istio
import data.lib.k8s
import data.lib.violation

control_id := "avl-job-sidecar-completes"

job_kinds := {"Job", "CronJob"}

# A Pod runs to completion unless it restarts its containers forever (Always, the default).
completing_restart_policies := {"Never", "OnFailure"}

native_key := "sidecar.istio.io/nativeSidecar"

violation contains violation.at(
	control_id, "sidecarBlocksCompletion", obj,
	array.concat(k8s.pod_template_path(obj), ["metadata", "annotations", native_key]),
	{"kind": obj.kind, "name": k8s.name(obj), "injectedBy": reason},
) if {
	some obj in input.resources
	runs_to_completion(obj)
	template := k8s.pod_template(obj)
	namespace := k8s.namespace(obj)
	reason := istio.injected_by(template, namespace, istio.namespace_label_maps(namespace, istio.absent_namespace_unlabelled))
	not native(template)
}

runs_to_completion(obj) if job_kinds[obj.kind]

# A bare Pod meant to complete (a Helm test hook, a one-off task). A Pod a controller owns is judged
# through its owner (a Job's pods through the Job; a ReplicaSet's pods restart Always).
runs_to_completion(obj) if {
	obj.kind == "Pod"
	completing_restart_policies[object.get(obj, ["spec", "restartPolicy"], "Always")]
	not controller_owned(obj)
}

controller_owned(obj) if {
	refs := object.get(obj, ["metadata", "ownerReferences"], [])
	is_array(refs)
	some ref in refs
	is_object(ref)
	ref.controller == true
}

# Native (an init container with restartPolicy Always) as Istio's injection template decides it: a
# non-empty annotation unless it is exactly "false", else the mesh-wide setting.
native(template) if {
	value := istio.template_map(template, "annotations")[native_key]
	not value in {"", "false"}
}

native(template) if {
	not native_annotated(template)
	object.get(input, ["parameters", "nativeSidecarsMeshWide"], false) == true
}

native_annotated(template) if istio.template_map(template, "annotations")[native_key] != ""
