import { describe, expect, it } from "vitest";
import { diffSets, ENVIRONMENTS, normalise, readManifestDir, renderHelm, renderKustomize, STANDALONE } from "./render.js";

describe("Helm, Kustomize and standalone render the same deployment", () => {
  it.each(ENVIRONMENTS)("%s: helm == kustomize overlay", (env) => {
    expect(diffSets(normalise(renderHelm(env)), normalise(renderKustomize(env)), ["helm", "kustomize"])).toEqual([]);
  });

  it("production: helm == standalone", () => {
    expect(diffSets(normalise(renderHelm("production")), normalise(readManifestDir(STANDALONE)), ["helm", "standalone"])).toEqual([]);
  });

  it("lists differences by resource and field", () => {
    const helm = normalise(renderHelm("production"));
    const changed = normalise(renderHelm("production"));
    changed.get("apps/v1/StatefulSet/erlmcp/erlmcp")!.spec.replicas = 6;
    changed.delete("v1/ConfigMap/erlmcp/erlmcp-config");
    expect(diffSets(helm, changed, ["helm", "other"])).toEqual([
      "apps/v1/StatefulSet/erlmcp/erlmcp /spec/replicas: 7 != 6",
      "v1/ConfigMap/erlmcp/erlmcp-config: only in helm",
    ]);
  });
});
