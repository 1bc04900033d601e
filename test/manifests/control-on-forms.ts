/** One control run by both engines over every rendered form of the reference deployment (shared by the rendered-forms tests). */
import { join } from "node:path";
import { beforeAll, expect } from "vitest";
import { stringify } from "yaml";
import { loadControl } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { RegoEngine } from "../../src/engines/rego.js";
import { TypeScriptEngine } from "../../src/engines/typescript.js";
import { verdictOf } from "../../src/evaluation/unit.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { POLICIES_DIR } from "../../src/paths.js";
import type { AuditUnit } from "../../src/types.js";
import { allManifestSets, ENVIRONMENTS, helmTemplate, helmValuesFile, parseDocs, type K8sDoc } from "./render.js";

/** Every manifest set but GitOps, plus the Helm chart of each environment with the canary and blue/green strategies. */
export function everyDeployedForm(): Map<string, K8sDoc[]> {
  const sets = allManifestSets();
  sets.delete("gitops");
  for (const env of ENVIRONMENTS)
    for (const strategy of ["canary", "blueGreen"])
      sets.set(`helm/${env} strategy=${strategy}`, parseDocs(helmTemplate({ valuesFiles: [helmValuesFile(env)], set: { strategy } })));
  return sets;
}

/**
 * A function giving `Kind/name messageId` of the control's findings on some objects, sorted, per engine
 * (rego, typescript), with the production profile's parameters; it fails the test on an evaluation error.
 */
export function controlFindings(controlId: string): (docs: K8sDoc[]) => Promise<Record<string, string[]>> {
  const control = loadControl(join(POLICIES_DIR, controlId));
  const engines = { rego: new RegoEngine(), typescript: new TypeScriptEngine() };
  beforeAll(async () => {
    await engines.rego.prepare([]);
  });
  return async (docs) => {
    const parsed = parseManifestStream(docs.map((d) => stringify(d)).join("---\n"), { file: "render.yaml" });
    const unit: AuditUnit = { id: "render", kind: "files", path: "render.yaml", resources: parsed.resources, profile: "production" };
    const out: Record<string, string[]> = {};
    for (const [name, engine] of Object.entries(engines)) {
      const verdict = await verdictOf(engine, unit, control, resolveParams(control, "production"));
      expect(verdict?.errors ?? [], `${name} errors`).toEqual([]);
      out[name] = (verdict?.violations ?? []).map((v) => `${v.resource.kind}/${v.resource.name} ${v.messageId}`).sort();
    }
    return out;
  };
}
