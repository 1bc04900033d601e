package erlmcp.controls.avl_pdb_consistent

import data.lib.k8s
import data.lib.violation

control_id := "avl-pdb-consistent"

workloads := [w | some w in input.resources; k8s.is_workload(w)]

pdbs := [p |
	some p in input.resources
	p.kind == "PodDisruptionBudget"
	p.apiVersion == "policy/v1"
]

hpas := [h |
	some h in input.resources
	h.kind == "HorizontalPodAutoscaler"
	startswith(object.get(h, "apiVersion", ""), "autoscaling/")
]

hpa_targets(h, w) if {
	k8s.namespace(h) == k8s.namespace(w)
	h.spec.scaleTargetRef.kind == w.kind
	h.spec.scaleTargetRef.name == k8s.name(w)
}

size(w) := max(mins) if {
	mins := {object.get(h, ["spec", "minReplicas"], 1) | some h in hpas; hpa_targets(h, w)}
	count(mins) > 0
} else := k8s.replicas(w)

# The PDB covers every pod of the workload (whatever values its controller gives the keys it sets).
covers(p, w) if {
	k8s.namespace(p) == k8s.namespace(w)
	k8s.selects_all_pods(p.spec.selector, w)
}

# The PDB selects at least one pod the workload may create.
selects(p, w) if {
	k8s.namespace(p) == k8s.namespace(w)
	k8s.may_select_pods(p.spec.selector, w)
}

selected(p) := [w | some w in workloads; selects(p, w)]

# IntOrString of a PDB, scaled like the disruption controller (percentages rounded up).
scaled(v, _) := v if is_number(v)

scaled(v, n) := ceil((to_number(trim_suffix(v, "%")) * n) / 100) if {
	is_string(v)
	endswith(v, "%")
}

single(p) := [w, size(w)] if {
	ws := selected(p)
	count(ws) == 1
	w := ws[0]
}

violation contains violation.make(control_id, "noPdb", w, {"kind": w.kind, "workload": k8s.name(w), "replicas": size(w)}) if {
	some w in workloads
	w.kind != "DaemonSet"
	size(w) >= 2
	not any_pdb_selects(w)
}

any_pdb_selects(w) if {
	some p in pdbs
	covers(p, w)
}

violation contains violation.make(control_id, "pdbSelectsNothing", p, {"pdb": k8s.name(p)}) if {
	some p in pdbs
	count(selected(p)) == 0
}

violation contains violation.make(control_id, "pdbSelectsMany", p, {"pdb": k8s.name(p), "count": count(selected(p))}) if {
	some p in pdbs
	count(selected(p)) > 1
}

violation contains violation.make(control_id, "pdbBlocksDisruption", p, {"pdb": k8s.name(p), "workload": k8s.name(w), "replicas": n}) if {
	some p in pdbs
	[w, n] := single(p)
	blocks(p.spec, n)
}

blocks(spec, n) if scaled(spec.maxUnavailable, n) == 0

blocks(spec, n) if scaled(spec.minAvailable, n) >= n

violation contains violation.make(control_id, "pdbBreaksQuorum", p, {"pdb": k8s.name(p), "workload": k8s.name(w), "replicas": n, "quorum": quorum(n)}) if {
	some p in pdbs
	[w, n] := single(p)
	k8s.is_erlang_node(w)
	breaks_quorum(p.spec, n)
}

quorum(n) := floor(n / 2) + 1

breaks_quorum(spec, n) if scaled(spec.minAvailable, n) < quorum(n)

breaks_quorum(spec, n) if scaled(spec.maxUnavailable, n) > n - quorum(n)
