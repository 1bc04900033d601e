import type { K8sObject, Violation } from "../types.js";
import { closestPath } from "../k8s/field-path.js";
import {
  ABSENT_NAMESPACE_UNLABELLED,
  injectionSubject,
  namespaceLabelIndex,
  namespaceLabels,
  sidecarInjectedBy,
} from "../k8s/istio-injection.js";
import { rec } from "../k8s/manifest-fields.js";
import type { Labels } from "../k8s/selectors.js";
import { podTemplate, podTemplatePath, refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const JOB_KINDS: ReadonlySet<string> = new Set(["Job", "CronJob"]);
/** A Pod runs to completion unless it restarts its containers forever (Always, the default). */
const COMPLETING_RESTART_POLICIES: ReadonlySet<unknown> = new Set(["Never", "OnFailure"]);
const NATIVE_KEY = "sidecar.istio.io/nativeSidecar";

/** A Pod a controller owns is judged through its owner (a Job's pods through the Job; a ReplicaSet's pods restart Always). */
function controllerOwned(object: K8sObject): boolean {
  const refs = rec(object.metadata).ownerReferences;
  return Array.isArray(refs) && refs.some((ref) => rec(ref).controller === true);
}

/** A Job, a CronJob, or a bare Pod meant to complete (a Helm test hook, a one-off task). */
function runsToCompletion(object: K8sObject): boolean {
  if (typeof object.kind === "string" && JOB_KINDS.has(object.kind)) return true;
  return object.kind === "Pod" && COMPLETING_RESTART_POLICIES.has(rec(object.spec).restartPolicy ?? "Always") && !controllerOwned(object);
}

/** istio-proxy runs as a native sidecar, as Istio's injection template decides: a non-empty annotation unless exactly "false", else the mesh-wide setting. */
function native(annotations: Labels, meshWide: boolean): boolean {
  const value = annotations[NATIVE_KEY];
  return value === undefined || value === "" ? meshWide : value !== "false";
}

/**
 * avl-job-sidecar-completes: Jobs, CronJobs and bare Pods meant to complete whose pods get Istio's
 * sidecar as an ordinary container (never exits, so they never complete), as policy.rego decides it.
 */
export const avlJobSidecarCompletes: SetValidator = {
  id: "avl-job-sidecar-completes",
  scope: "set",
  validate(resources, params) {
    const objects = resources.map((r) => r.object);
    const namespaces = namespaceLabelIndex(objects);
    const meshWide = params.nativeSidecarsMeshWide === true;
    const out: Violation[] = [];
    for (const object of objects) {
      if (!runsToCompletion(object)) continue;
      const template = podTemplate(object);
      const templatePath = podTemplatePath(object);
      if (!template || !templatePath) continue;
      const resource = refOf(object);
      const subject = injectionSubject(template, resource.namespace);
      const reason = sidecarInjectedBy(subject, namespaceLabels(namespaces, resource.namespace, ABSENT_NAMESPACE_UNLABELLED));
      if (reason === undefined || native(subject.annotations, meshWide)) continue;
      out.push({
        messageId: "sidecarBlocksCompletion",
        data: { kind: resource.kind, name: resource.name, injectedBy: reason },
        resource,
        path: [...closestPath(object, [...templatePath, "metadata", "annotations", NATIVE_KEY])],
      });
    }
    return out;
  },
};
