/**
 * tls-dist-cert-names on the reference deployment: every rendered form (Helm per environment and
 * strategy, Kustomize overlays, standalone, blue-green, canary) passes in both engines, and each form
 * fails again once the fix is undone (the canary's host name check turned back on, a StatefulSet's
 * certificate issued for another namespace), so the pass is not vacuous.
 */
import { describe, expect, it } from "vitest";
import type { K8sDoc } from "./render.js";
import { controlFindings, everyDeployedForm } from "./control-on-forms.js";

const sets = everyDeployedForm();
const findings = controlFindings("tls-dist-cert-names");

const nodes = (docs: K8sDoc[]) => docs.filter((d) => d.kind === "StatefulSet" || d.kind === "Rollout");

/** The form with its fix undone: host name check on for a canary, the certificate of another namespace otherwise. */
function undoFix(docs: K8sDoc[]): { docs: K8sDoc[]; expected: string[] } {
  const copy = structuredClone(docs);
  const expected: string[] = [];
  for (const w of nodes(copy)) expected.push(`${w.kind}/${w.metadata.name} ${w.kind === "Rollout" ? "nodeNamedByPodIp" : "nodeNameNotCovered"}`);
  for (const d of copy) {
    if (d.kind === "ConfigMap" && typeof d.data?.["ssl_dist.conf"] === "string")
      d.data["ssl_dist.conf"] = d.data["ssl_dist.conf"].replace(/\{server_name_indication, disable\},/, "");
    if (d.kind === "Certificate" && Array.isArray(d.spec?.dnsNames) && d.spec.usages?.includes("client auth"))
      d.spec.dnsNames = d.spec.dnsNames.map((n: string) => n.replace(".svc.cluster.local", "-elsewhere.svc.cluster.local"));
  }
  return { docs: copy, expected: expected.sort() };
}

describe("tls-dist-cert-names on the reference deployment", () => {
  it("renders every strategy", () => {
    expect([...sets.values()].filter((docs) => nodes(docs).some((w) => w.kind === "Rollout")).length).toBeGreaterThanOrEqual(4);
  });

  it.each([...sets.keys()])("%s: the certificate covers the node names, or the canary is CA-pinned without a host name check", async (name) => {
    const found = await findings(sets.get(name)!);
    expect(found.rego).toEqual([]);
    expect(found.typescript).toEqual([]);
  });

  it.each([...sets.keys()])("%s: fails with the fix undone", async (name) => {
    const { docs, expected } = undoFix(sets.get(name)!);
    expect(expected.length).toBeGreaterThan(0);
    const found = await findings(docs);
    expect(found.rego).toEqual(expected);
    expect(found.typescript).toEqual(expected);
  });
});
