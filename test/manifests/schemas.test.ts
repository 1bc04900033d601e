import { describe, expect, it } from "vitest";
import { allManifestSets, renderHelm } from "./render.js";
import { validateResource, validateResources } from "./strict-schema.js";

const sets = allManifestSets();

describe("every rendered resource validates against its Kubernetes/CRD schema (unknown fields reported)", () => {
  it.each([...sets.keys()])("%s", (name) => {
    const docs = sets.get(name)!;
    expect(docs.length).toBeGreaterThan(0);
    expect(validateResources(docs)).toEqual([]);
  });
});

describe("the strict validator", () => {
  const statefulSet = () => structuredClone(renderHelm("production").find((d) => d.kind === "StatefulSet")!);

  it("reports a planted typo that would silently disable anti-affinity", () => {
    const sts = statefulSet();
    const affinity = sts.spec.template.spec.affinity;
    affinity.podAntiAfinity = affinity.podAntiAffinity;
    delete affinity.podAntiAffinity;
    expect(validateResource(sts)).toEqual([
      { resource: "apps/v1/StatefulSet erlmcp/erlmcp", path: "/spec/template/spec/affinity/podAntiAfinity", message: 'unknown field "podAntiAfinity"' },
    ]);
  });

  it("reports unknown fields inside custom resources", () => {
    const pa = structuredClone(renderHelm("production").find((d) => d.kind === "PeerAuthentication")!);
    pa.spec.mtls.mdoe = "STRICT";
    expect(validateResource(pa).map((e) => e.path)).toEqual(["/spec/mtls/mdoe"]);
  });

  it("reports type errors and unknown kinds", () => {
    const sts = statefulSet();
    sts.spec.replicas = "seven";
    expect(validateResource(sts).map((e) => e.path)).toEqual(["/spec/replicas"]);
    expect(validateResource({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })[0]?.message).toMatch(/no schema known/);
  });
});
