/**
 * Every rendered form of the reference deployment against a real kube-apiserver (scripts/test-cluster.sh):
 * applied server-side and stored, then a second release with a new image digest applied over it. The
 * upgrade is where immutable fields (a Job's pod template, a StatefulSet's selector or claim templates)
 * would fail. Custom kinds (Istio, Argo CD, Argo Rollouts, cert-manager, prometheus-operator, External
 * Secrets, Flux, VPA) are served by their projects' published CRDs, pinned in scripts/engines/crds.lock
 * (test/helpers/published-crds.ts), so the API server validates them against the real schemas: a value
 * out of an enum, a missing required field or an undeclared field is refused (writes use
 * `fieldValidation=Strict`, as kubectl does). A custom kind with no pinned CRD fails the test.
 */
import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../src/types.js";
import { clusterTestsEnabled, useTestCluster, type TestCluster } from "../helpers/cluster.js";
import { TARGETS } from "../../scripts/generate-standalone.js";
import { allManifestSets, ENVIRONMENTS, helmTemplate, parseDocs, resourceKey, type HelmOptions, type K8sDoc } from "./render.js";

const enabled = clusterTestsEnabled("test/manifests/server-side.test.ts (the reference deployment against kube-apiserver)");

const NEXT = "sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";
const NEXT_GREEN = "sha256:8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f";

const production = ["values-production.yaml"];
/** How the chart renders each manifest set (kustomize overlays equal their helm environment: equivalence.test.ts). */
const HELM_OPTIONS: Record<string, HelmOptions> = {
  "helm/defaults": {},
  "standalone": TARGETS[0]!.helm,
  "standalone/blue-green": TARGETS[1]!.helm,
  "standalone/canary": TARGETS[2]!.helm,
  "helm/production blueGreen": { valuesFiles: production, set: { strategy: "blueGreen" } },
  "helm/production canary": { valuesFiles: production, set: { strategy: "canary" } },
  ...Object.fromEntries(ENVIRONMENTS.flatMap((env) => [
    [`helm/${env}`, { valuesFiles: [`values-${env}.yaml`] }],
    [`kustomize/${env}`, { valuesFiles: [`values-${env}.yaml`], set: { managedBy: "kustomize" } }],
  ])),
};

/** The next release of a set: the chart rendered the same way with new image digests (every slot too). */
function nextRelease(name: string, current: K8sDoc[]): K8sDoc[] {
  const opts = HELM_OPTIONS[name];
  if (!opts) return current;
  const set = { ...opts.set, "image.digest": NEXT, "blueGreen.slots.blue.digest": NEXT, "blueGreen.slots.green.digest": NEXT_GREEN };
  return parseDocs(helmTemplate({ ...opts, set }), `${name} next`);
}

/**
 * The objects moved to namespaces of their own (suffix added), as if each form ran in its own cluster:
 * the forms share object names, and one form's Job would otherwise meet another's under the same name.
 */
function isolated(docs: K8sDoc[], suffix: string): K8sDoc[] {
  return structuredClone(docs).map((d) => {
    if (d.kind === "Namespace") d.metadata.name = `${d.metadata.name}-${suffix}`;
    else if (d.metadata.namespace) d.metadata.namespace = `${d.metadata.namespace}-${suffix}`;
    return d;
  });
}

/** Applies objects in order (stored, not dry-run, strict); returns `kind/name: status message` for every refusal. */
async function applyAll(c: TestCluster, docs: K8sDoc[]): Promise<string[]> {
  const refused: string[] = [];
  for (const doc of docs) {
    const reply = await c.apply(doc as K8sObject, { strict: true });
    if (reply.status !== 200 && reply.status !== 201) refused.push(`${resourceKey(doc)}: ${reply.status} ${reply.body?.message ?? ""}`);
  }
  return refused;
}

describe.runIf(enabled)("the reference deployment in a real API server", () => {
  const cluster = useTestCluster();
  const sets = allManifestSets();
  sets.set("helm/production blueGreen", parseDocs(helmTemplate({ valuesFiles: ["values-production.yaml"], set: { strategy: "blueGreen" } }), "helm blueGreen"));
  sets.set("helm/production canary", parseDocs(helmTemplate({ valuesFiles: ["values-production.yaml"], set: { strategy: "canary" } }), "helm canary"));

  it.each([...sets.keys()])(
    "%s: applies server-side, then a release with a new image digest applies over it",
    async (name) => {
      const c = cluster();
      const suffix = `f${[...sets.keys()].indexOf(name)}`;
      const docs = isolated(sets.get(name)!, suffix);
      await c.prepareFor(docs as K8sObject[]);
      expect(await applyAll(c, docs), `${name}, first release`).toEqual([]);
      const next = isolated(nextRelease(name, sets.get(name)!), suffix);
      if (docs.some((d) => d.kind === "Job")) expect(JSON.stringify(next)).not.toContain(JSON.stringify(docs.find((d) => d.kind === "Job")!.spec.template));
      expect(await applyAll(c, next), `${name}, next release`).toEqual([]);
    },
    180_000,
  );

  it("custom kinds are validated against their published schemas: a wrong value or an unknown field is refused", async () => {
    const c = cluster();
    const metadata = (name: string) => ({ name, namespace: "schema-probe" });
    const peer = { apiVersion: "security.istio.io/v1beta1", kind: "PeerAuthentication", metadata: metadata("mtls"), spec: { mtls: { mode: "STRICT" } } };
    const certificate = {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: metadata("tls"),
      spec: { secretName: "erlmcp-tls", issuerRef: { name: "erlmcp-ca", kind: "Issuer" }, dnsNames: ["erlmcp.example"] },
    };
    await c.prepareFor([peer, certificate] as K8sObject[]);
    for (const object of [peer, certificate]) expect((await c.apply(object as K8sObject, { strict: true })).status).toBeLessThan(300);

    const strictest = await c.apply({ ...peer, spec: { mtls: { mode: "STRICTEST" } } } as K8sObject, { strict: true });
    expect(strictest.status).toBe(422);
    expect(strictest.body.message).toContain('spec.mtls.mode: Unsupported value: "STRICTEST"');
    const unknownField = await c.apply({ ...certificate, spec: { ...certificate.spec, renewBeforeMinutes: 5 } } as K8sObject, { strict: true });
    expect(unknownField.status).toBeGreaterThanOrEqual(400);
    expect(unknownField.body.message).toContain(".spec.renewBeforeMinutes: field not declared in schema");
    const noIssuer = await c.apply({ ...certificate, metadata: metadata("no-issuer"), spec: { secretName: "erlmcp-tls" } } as K8sObject);
    expect(noIssuer.status).toBe(422);
    expect(noIssuer.body.message).toContain("spec.issuerRef: Required value");
  });

  it("a custom kind with no published CRD pinned is an error naming it, not an open schema", async () => {
    const widget = { apiVersion: "unpinned.erlmcp.io/v1", kind: "Widget", metadata: { name: "w", namespace: "schema-probe" } };
    await expect(cluster().prepareFor([widget as K8sObject])).rejects.toThrow("no published CRD is pinned for unpinned.erlmcp.io/Widget");
  });

  it("a changed pod template under the same Job name is refused (what the digest-named Jobs avoid)", async () => {
    const c = cluster();
    const [job] = isolated(
      sets.get("standalone")!.filter((d) => d.kind === "Job").slice(0, 1),
      "probe",
    );
    await c.prepareFor([job as K8sObject]);
    const renamed = structuredClone(job!);
    renamed.metadata.name = "erlmcp-immutable-probe";
    expect((await c.apply(renamed as K8sObject)).status).toBeLessThan(300);
    renamed.spec.template.spec.containers[0].image = `registry.erlmcp.io/erlmcp/erlmcp@${NEXT}`;
    const reply = await c.apply(renamed as K8sObject);
    expect(reply.status).toBe(422);
    expect(String(reply.body.message)).toContain("field is immutable");
  });
});
