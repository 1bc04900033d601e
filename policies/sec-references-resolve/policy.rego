package erlmcp.controls.sec_references_resolve

import data.lib.k8s
import data.lib.violation

control_id := "sec-references-resolve"

issuer_annotations := {"cert-manager.io/cluster-issuer", "cert-manager.io/issuer"}

produced contains [k8s.namespace(r), k8s.name(r)] if {
	some r in input.resources
	r.kind == "Secret"
}

produced contains [k8s.namespace(r), object.get(r, ["spec", "target", "name"], k8s.name(r))] if {
	some r in input.resources
	r.kind == "ExternalSecret"
	startswith(r.apiVersion, "external-secrets.io/")
}

produced contains [k8s.namespace(r), object.get(r, ["spec", "template", "metadata", "name"], k8s.name(r))] if {
	some r in input.resources
	r.kind == "SealedSecret"
	startswith(r.apiVersion, "bitnami.com/")
}

produced contains [k8s.namespace(r), r.spec.secretName] if {
	some r in input.resources
	r.kind == "Certificate"
	startswith(r.apiVersion, "cert-manager.io/")
}

# cert-manager's ingress-shim creates a Certificate for each TLS entry of an annotated Ingress.
produced contains [k8s.namespace(r), tls.secretName] if {
	some r in input.resources
	r.kind == "Ingress"
	some annotation, _ in object.get(r, ["metadata", "annotations"], {})
	issuer_annotations[annotation]
	some tls in object.get(r, ["spec", "tls"], [])
}

# [object, secret name, where, path of the name in the object] of every non-optional Secret reference.
references contains [w, ref.name, concat(" ", ["container", c.name, "env", e.name]), array.concat(c.__path, ["env", i, "valueFrom", "secretKeyRef", "name"])] if {
	some w in input.resources
	some c in k8s.all_containers(w)
	some i, e in object.get(c, "env", [])
	ref := e.valueFrom.secretKeyRef
	not ref.optional
}

references contains [w, ref.name, concat(" ", ["container", c.name, "envFrom"]), array.concat(c.__path, ["envFrom", i, "secretRef", "name"])] if {
	some w in input.resources
	some c in k8s.all_containers(w)
	some i, ef in object.get(c, "envFrom", [])
	ref := ef.secretRef
	not ref.optional
}

references contains [w, v.secret.secretName, concat(" ", ["volume", v.name]), array.concat(k8s.pod_spec_path(w), ["volumes", i, "secret", "secretName"])] if {
	some w in input.resources
	some i, v in object.get(k8s.pod_spec(w), "volumes", [])
	not v.secret.optional
}

references contains [w, source.secret.name, concat(" ", ["projected volume", v.name]), array.concat(k8s.pod_spec_path(w), ["volumes", i, "projected", "sources", j, "secret", "name"])] if {
	some w in input.resources
	some i, v in object.get(k8s.pod_spec(w), "volumes", [])
	some j, source in v.projected.sources
	not source.secret.optional
}

references contains [w, ref.name, "imagePullSecrets", array.concat(k8s.pod_spec_path(w), ["imagePullSecrets", i, "name"])] if {
	some w in input.resources
	some i, ref in object.get(k8s.pod_spec(w), "imagePullSecrets", [])
}

references contains [r, tls.secretName, concat(" ", ["tls", format_int(i, 10)]), ["spec", "tls", i, "secretName"]] if {
	some r in input.resources
	r.kind == "Ingress"
	some i, tls in object.get(r, ["spec", "tls"], [])
}

violation contains v if {
	some [obj, secret, where, path] in references
	is_string(secret)
	not produced[[k8s.namespace(obj), secret]]
	v := violation.at(control_id, "unresolvedSecret", obj, path, {"object": concat("/", [obj.kind, k8s.name(obj)]), "secret": secret, "where": where})
}
