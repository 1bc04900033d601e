/**
 * avl-job-sidecar-completes on the reference deployment: every rendered form (Helm per environment and
 * strategy with its test hook Pod, Kustomize overlays, standalone, blue-green, canary) injects Istio
 * into its namespace and passes in both engines because every job pod and the Helm test Pod run
 * istio-proxy as a native sidecar; with that annotation removed (the manifests before commit 2bb7bbc)
 * every Job, CronJob and test Pod of each form fails.
 */
import { describe, expect, it } from "vitest";
import { isHelmTestHook, type K8sDoc } from "./render.js";
import { controlFindings, everyDeployedForm } from "./control-on-forms.js";

const sets = everyDeployedForm();
const findings = controlFindings("avl-job-sidecar-completes");

/** The pod template of a Job, a CronJob or a bare Pod meant to complete (the Helm test hook): a Pod is its own. */
const completingPodTemplate = (d: K8sDoc): Record<string, any> | undefined =>
  d.kind === "Job"
    ? d.spec?.template
    : d.kind === "CronJob"
      ? d.spec?.jobTemplate?.spec?.template
      : d.kind === "Pod" && ["Never", "OnFailure"].includes(d.spec?.restartPolicy)
        ? d
        : undefined;

/** The form without the native sidecar annotation on its completing pods: each Job, CronJob and such Pod is expected to fail. */
function undoFix(docs: K8sDoc[]): { docs: K8sDoc[]; expected: string[] } {
  const copy = structuredClone(docs);
  const expected: string[] = [];
  for (const d of copy) {
    const template = completingPodTemplate(d);
    if (!template) continue;
    delete template.metadata?.annotations?.["sidecar.istio.io/nativeSidecar"];
    expected.push(`${d.kind}/${d.metadata.name} sidecarBlocksCompletion`);
  }
  return { docs: copy, expected: expected.sort() };
}

describe("avl-job-sidecar-completes on the reference deployment", () => {
  it.each([...sets.keys()])("%s: injects the sidecar into the namespace of its Jobs, CronJobs and test Pod", (name) => {
    const docs = sets.get(name)!;
    const injected = new Set(docs.filter((d) => d.kind === "Namespace" && d.metadata.labels?.["istio-injection"] === "enabled").map((d) => d.metadata.name));
    const jobs = docs.filter((d) => completingPodTemplate(d));
    expect(jobs.length).toBeGreaterThan(0);
    // helm template renders the chart's test hooks: the Helm forms carry the test Pod, a bare Pod meant to complete.
    if (name.startsWith("helm/"))
      expect(jobs.filter((d) => d.kind === "Pod" && isHelmTestHook(d)).map((d) => d.metadata.name)).toEqual(["erlmcp-test-connection"]);
    for (const job of jobs) expect(injected.has(job.metadata.namespace), `${job.kind}/${job.metadata.name}`).toBe(true);
  });

  it.each([...sets.keys()])("%s: every job pod and the test Pod run istio-proxy as a native sidecar", async (name) => {
    const found = await findings(sets.get(name)!);
    expect(found.rego).toEqual([]);
    expect(found.typescript).toEqual([]);
  });

  it.each([...sets.keys()])("%s: fails with the native sidecar annotation removed", async (name) => {
    const { docs, expected } = undoFix(sets.get(name)!);
    const found = await findings(docs);
    expect(found.rego).toEqual(expected);
    expect(found.typescript).toEqual(expected);
  });
});
