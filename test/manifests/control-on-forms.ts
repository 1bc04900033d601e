/** One control run by both engines over every rendered form of the reference deployment (shared by the rendered-forms tests). */
import { stringify } from "yaml";
import { engineFindings, type EngineFindings } from "../helpers/engine-findings.js";
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
 * (rego, typescript), with the production profile's parameters; it fails the test on a parse or evaluation error.
 */
export function controlFindings(controlId: string): (docs: K8sDoc[]) => Promise<EngineFindings> {
  const findings = engineFindings([controlId], (v) => `${v.resource.kind}/${v.resource.name} ${v.messageId}`);
  return (docs) => findings(docs.map((d) => stringify(d)).join("---\n"));
}
