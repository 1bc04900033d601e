/** The availability validators point at the field to change (the Rego side is checked by policy_test.rego and the fixtures). */
import { describe, expect, it } from "vitest";
import type { K8sObject, Resource } from "../../src/types.js";
import { formatPath } from "../../src/k8s/field-path.js";
import { refOf } from "../../src/k8s/workloads.js";
import { avlAntiAffinity } from "../../src/validators/avl-anti-affinity.js";
import { avlPdbConsistent } from "../../src/validators/avl-pdb-consistent.js";
import { avlZoneSpread } from "../../src/validators/avl-zone-spread.js";

const labels = { app: "erlmcp" };
const term = { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: labels } };

function statefulSet(podSpec: Record<string, unknown>, replicas = 3): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "erlmcp", namespace: "erlmcp" },
    spec: {
      replicas,
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "erlmcp", ports: [{ name: "epmd", containerPort: 4369 }] }], ...podSpec },
      },
    },
  };
}

const pdb = (budget: Record<string, unknown>, selector: Record<string, string> = labels): K8sObject => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "erlmcp", namespace: "erlmcp" },
  spec: { selector: { matchLabels: selector }, ...budget },
});

const asResources = (objects: K8sObject[]): Resource[] =>
  objects.map((object, documentIndex) => ({ ref: refOf(object), object, source: { file: "f", line: 1, documentIndex } }));

const located = (violations: Array<{ messageId: string; resource: { name: string }; path?: Array<string | number> }>) =>
  violations.map((v) => `${v.messageId} ${v.resource.name} @ ${formatPath(v.path ?? [])}`).sort();

describe("avl-anti-affinity paths", () => {
  it("points at the closest parent of the missing required terms", () => {
    expect(located(avlAntiAffinity.validate(statefulSet({}), {}))).toEqual(["noHostAntiAffinity erlmcp @ spec.template.spec"]);
  });
  it("points at the preferred terms to make required", () => {
    const affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
    expect(located(avlAntiAffinity.validate(statefulSet({ affinity }), {}))).toEqual([
      "preferredAntiAffinityOnly erlmcp @ spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution",
    ]);
  });
});

describe("avl-zone-spread paths", () => {
  it("points at the constraints that spread on no zone", () => {
    const constraints = [{ ...term, maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" }];
    expect(located(avlZoneSpread.validate(statefulSet({ topologySpreadConstraints: constraints }), {}))).toEqual([
      "noZoneSpread erlmcp @ spec.template.spec.topologySpreadConstraints",
    ]);
  });
});

describe("avl-pdb-consistent paths", () => {
  const run = (objects: K8sObject[]) => located(avlPdbConsistent.validate(asResources(objects), {}));
  it("points at the budget field that blocks or breaks quorum", () => {
    expect(run([statefulSet({}), pdb({ maxUnavailable: 0 })])).toEqual(["pdbBlocksDisruption erlmcp @ spec.maxUnavailable"]);
    expect(run([statefulSet({}), pdb({ minAvailable: "100%" })])).toEqual(["pdbBlocksDisruption erlmcp @ spec.minAvailable"]);
    expect(run([statefulSet({}), pdb({ minAvailable: 1 })])).toEqual(["pdbBreaksQuorum erlmcp @ spec.minAvailable"]);
    expect(run([statefulSet({}), pdb({ maxUnavailable: 2 })])).toEqual(["pdbBreaksQuorum erlmcp @ spec.maxUnavailable"]);
  });
  it("points at the selector of a PDB that selects nothing and at the replicas of the uncovered workload", () => {
    expect(run([statefulSet({}), pdb({ maxUnavailable: 1 }, { app: "other" })])).toEqual([
      "noPdb erlmcp @ spec.replicas",
      "pdbSelectsNothing erlmcp @ spec.selector",
    ]);
  });
});
