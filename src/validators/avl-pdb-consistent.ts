import type { K8sObject, Violation } from "../types.js";
import { isErlangNode, isWorkload, podLabels, refOf, replicas } from "../k8s/workloads.js";
import { maySelectPods, selectsAllPods, type PodsOf } from "../k8s/selectors.js";
import type { SetValidator } from "./types.js";

const ns = (obj: K8sObject) => refOf(obj).namespace;
const spec = (obj: K8sObject): Record<string, any> => (obj.spec ?? {}) as Record<string, any>;

/** IntOrString of a PDB, scaled like the disruption controller (percentages rounded up). */
function scaled(value: unknown, n: number): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.endsWith("%")) return Math.ceil((Number(value.slice(0, -1)) * n) / 100);
  return undefined;
}

const quorum = (n: number) => Math.floor(n / 2) + 1;

export const avlPdbConsistent: SetValidator = {
  id: "avl-pdb-consistent",
  scope: "set",
  validate(resources) {
    const objects = resources.map((r) => r.object);
    const workloads = objects.filter(isWorkload);
    const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget" && o.apiVersion === "policy/v1");
    const hpas = objects.filter(
      (o) => o.kind === "HorizontalPodAutoscaler" && typeof o.apiVersion === "string" && o.apiVersion.startsWith("autoscaling/"),
    );
    const size = (w: K8sObject): number => {
      const mins = hpas
        .filter((h) => ns(h) === ns(w) && spec(h).scaleTargetRef?.kind === w.kind && spec(h).scaleTargetRef?.name === refOf(w).name)
        .map((h) => (spec(h).minReplicas ?? 1) as number);
      return mins.length > 0 ? Math.max(...mins) : replicas(w);
    };
    const pods = (w: K8sObject): PodsOf => ({ kind: refOf(w).kind, templateLabels: podLabels(w) });
    // covers: every pod of the workload; selects: at least one pod it may create.
    const covers = (p: K8sObject, w: K8sObject) => ns(p) === ns(w) && selectsAllPods(spec(p).selector, pods(w));
    const selects = (p: K8sObject, w: K8sObject) => ns(p) === ns(w) && maySelectPods(spec(p).selector, pods(w));
    const out: Violation[] = [];
    const add = (messageId: string, obj: K8sObject, data: Violation["data"]) => out.push({ messageId, data, resource: refOf(obj) });

    for (const w of workloads) {
      const n = size(w);
      if (w.kind !== "DaemonSet" && n >= 2 && !pdbs.some((p) => covers(p, w)))
        add("noPdb", w, { kind: refOf(w).kind, workload: refOf(w).name, replicas: n });
    }
    for (const p of pdbs) {
      const pdb = refOf(p).name;
      const selected = workloads.filter((w) => selects(p, w));
      if (selected.length === 0) add("pdbSelectsNothing", p, { pdb });
      if (selected.length > 1) add("pdbSelectsMany", p, { pdb, count: selected.length });
      const [w] = selected;
      if (selected.length !== 1 || !w) continue;
      const n = size(w);
      const data = { pdb, workload: refOf(w).name, replicas: n };
      const minAvailable = scaled(spec(p).minAvailable, n);
      const maxUnavailable = scaled(spec(p).maxUnavailable, n);
      if (maxUnavailable === 0 || (minAvailable !== undefined && minAvailable >= n)) add("pdbBlocksDisruption", p, data);
      const q = quorum(n);
      if (isErlangNode(w) && ((minAvailable !== undefined && minAvailable < q) || (maxUnavailable !== undefined && maxUnavailable > n - q)))
        add("pdbBreaksQuorum", p, { ...data, quorum: q });
    }
    return out;
  },
};
