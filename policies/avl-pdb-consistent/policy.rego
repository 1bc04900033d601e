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

# The sizes the workload can take: its HPA or KEDA ScaledObject range, else its replicas (lib.k8s).
# Indexes built in one pass, read whole (object.get, whose path here is one key: a [namespace, name]
# pair) so that the wasm target builds each once.
sizes(w) := k8s.size_range(w, object.get(scalers_by_target, [[k8s.namespace(w), k8s.name(w)]], set()))

# The HPAs and ScaledObjects of the set by the namespace and name of the workload they target.
scalers_by_target[[k8s.namespace(s), object.get(s, ["spec", "scaleTargetRef", "name"], null)]] contains s if {
	some s in input.resources
	s.kind in {"HorizontalPodAutoscaler", "ScaledObject"}
}

# The workloads of the set (by position) by namespace.
workloads_in[ns] contains i if {
	some i, w in workloads
	ns := k8s.namespace(w)
}

# The workloads a PDB may select, in the order of the set: those whose pod labels hold one of its
# matchLabels entries (on a key no controller sets), else every workload of its namespace.
candidates(p) := [workloads[i] | some i in object.get(workloads_labelled, [[k8s.namespace(p), k, labels[k]]], set())] if {
	labels := object.get(p, ["spec", "selector", "matchLabels"], {})
	is_object(labels)
	keys := {k | some k, _ in labels; not k in managed_keys}
	count(keys) > 0
	k := min(keys)
} else := [workloads[i] | some i in object.get(workloads_in, k8s.namespace(p), set())]

# The workloads (by position) by [namespace, pod label key, value].
workloads_labelled[[k8s.namespace(w), k, v]] contains i if {
	some i, w in workloads
	some k, v in k8s.pod_labels(w)
}

# Label keys some controller sets on its pods with values a manifest cannot know.
managed_keys := {k | some keys in k8s.controller_pod_label_keys; some k in keys}

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

# The workloads each PDB selects, computed once per PDB.
selections := {p: [w | some w in candidates(p); selects(p, w)] | some p in pdbs}

selected(p) := selections[p]

# IntOrString of a PDB, scaled like the disruption controller (percentages rounded up).
scaled(v, _) := v if is_number(v)

scaled(v, n) := ceil((to_number(trim_suffix(v, "%")) * n) / 100) if {
	is_string(v)
	endswith(v, "%")
}

single(p) := w if {
	ws := selected(p)
	count(ws) == 1
	w := ws[0]
}

# The smallest size of the workload's range at which the check fails (arithmetic must hold at every size).
first_size(w, check, spec) := min(failing) if {
	[lo, hi] := sizes(w)
	failing := {n | some n in numbers.range(lo, hi); size_fails(check, spec, n)}
	count(failing) > 0
}

size_fails("blocks", spec, n) if blocks(spec, n)

size_fails("quorum", spec, n) if breaks_quorum(spec, n)

violation contains violation.at(control_id, "noPdb", w, ["spec", "replicas"], {"kind": w.kind, "workload": k8s.name(w), "replicas": sizes(w)[1]}) if {
	some w in workloads
	w.kind != "DaemonSet"
	sizes(w)[1] >= 2
	not w in covered_workloads
}

# The workloads some PDB covers, computed once.
covered_workloads contains w if {
	some p in pdbs
	some w in candidates(p)
	covers(p, w)
}

violation contains violation.at(control_id, "pdbSelectsNothing", p, ["spec", "selector"], {"pdb": k8s.name(p)}) if {
	some p in pdbs
	count(selected(p)) == 0
}

violation contains violation.at(control_id, "pdbSelectsMany", p, ["spec", "selector"], {"pdb": k8s.name(p), "count": count(selected(p))}) if {
	some p in pdbs
	count(selected(p)) > 1
}

violation contains violation.at(control_id, "pdbBlocksDisruption", p, ["spec", blocking_field(p.spec, n)], {"pdb": k8s.name(p), "workload": k8s.name(w), "replicas": n}) if {
	some p in pdbs
	w := single(p)
	n := first_size(w, "blocks", p.spec)
}

# The field that blocks every eviction at size n (maxUnavailable first, as blocks reads it).
blocking_field(spec, n) := "maxUnavailable" if {
	scaled(spec.maxUnavailable, n) == 0
} else := "minAvailable"

blocks(spec, n) if scaled(spec.maxUnavailable, n) == 0

blocks(spec, n) if scaled(spec.minAvailable, n) >= n

violation contains violation.at(control_id, "pdbBreaksQuorum", p, ["spec", quorum_field(p.spec, n)], {"pdb": k8s.name(p), "workload": k8s.name(w), "replicas": n, "quorum": quorum(n)}) if {
	some p in pdbs
	w := single(p)
	k8s.is_erlang_node(w)
	n := first_size(w, "quorum", p.spec)
}

# The field that lets a majority go at size n (minAvailable first, as breaks_quorum reads it).
quorum_field(spec, n) := "minAvailable" if {
	scaled(spec.minAvailable, n) < quorum(n)
} else := "maxUnavailable"

quorum(n) := floor(n / 2) + 1

breaks_quorum(spec, n) if scaled(spec.minAvailable, n) < quorum(n)

breaks_quorum(spec, n) if scaled(spec.maxUnavailable, n) > n - quorum(n)
