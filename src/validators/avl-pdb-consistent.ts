import type { K8sObject, Violation } from "../types.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
import { isErlangNode, isWorkload, podLabels, refOf, sizeRange } from "../k8s/workloads.js";
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
    // The sizes a workload can take: its HPA or KEDA ScaledObject range, else its replicas.
    const scalers = objects.filter((o) => o.kind === "HorizontalPodAutoscaler" || o.kind === "ScaledObject");
    const sizes = (w: K8sObject) => sizeRange(w, scalers);
    // The smallest size of the range at which a check fails: PDB arithmetic must hold at every size.
    const firstSize = (w: K8sObject, fails: (n: number) => boolean): number | undefined => {
      const { min, max } = sizes(w);
      for (let n = min; n <= max; n++) if (fails(n)) return n;
      return undefined;
    };
    const pods = (w: K8sObject): PodsOf => ({ kind: refOf(w).kind, templateLabels: podLabels(w) });
    // covers: every pod of the workload; selects: at least one pod it may create.
    const covers = (p: K8sObject, w: K8sObject) => ns(p) === ns(w) && selectsAllPods(spec(p).selector, pods(w));
    const selects = (p: K8sObject, w: K8sObject) => ns(p) === ns(w) && maySelectPods(spec(p).selector, pods(w));
    const out: Violation[] = [];
    const add = (messageId: string, obj: K8sObject, path: FieldPath, data: Violation["data"]) =>
      out.push({ messageId, data, resource: refOf(obj), path: [...closestPath(obj, path)] });

    for (const w of workloads) {
      const n = sizes(w).max;
      if (w.kind !== "DaemonSet" && n >= 2 && !pdbs.some((p) => covers(p, w)))
        add("noPdb", w, ["spec", "replicas"], { kind: refOf(w).kind, workload: refOf(w).name, replicas: n });
    }
    for (const p of pdbs) {
      const pdb = refOf(p).name;
      const selected = workloads.filter((w) => selects(p, w));
      if (selected.length === 0) add("pdbSelectsNothing", p, ["spec", "selector"], { pdb });
      if (selected.length > 1) add("pdbSelectsMany", p, ["spec", "selector"], { pdb, count: selected.length });
      const [w] = selected;
      if (selected.length !== 1 || !w) continue;
      const minAvailable = (n: number) => scaled(spec(p).minAvailable, n);
      const maxUnavailable = (n: number) => scaled(spec(p).maxUnavailable, n);
      const blocks = (n: number) => maxUnavailable(n) === 0 || (minAvailable(n) ?? -1) >= n;
      const breaksQuorum = (n: number) => (minAvailable(n) ?? n) < quorum(n) || (maxUnavailable(n) ?? 0) > n - quorum(n);
      const blockedAt = firstSize(w, blocks);
      // The field to change: the one that blocks (maxUnavailable first) or lets a majority go (minAvailable first).
      if (blockedAt !== undefined) {
        const field = maxUnavailable(blockedAt) === 0 ? "maxUnavailable" : "minAvailable";
        add("pdbBlocksDisruption", p, ["spec", field], { pdb, workload: refOf(w).name, replicas: blockedAt });
      }
      const brokenAt = isErlangNode(w) ? firstSize(w, breaksQuorum) : undefined;
      if (brokenAt !== undefined) {
        const field = (minAvailable(brokenAt) ?? brokenAt) < quorum(brokenAt) ? "minAvailable" : "maxUnavailable";
        add("pdbBreaksQuorum", p, ["spec", field], { pdb, workload: refOf(w).name, replicas: brokenAt, quorum: quorum(brokenAt) });
      }
    }
    return out;
  },
};
