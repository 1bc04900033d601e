/**
 * Placing a field in a Kustomize build is best effort and never breaks the audit: a kustomization
 * that no longer parses, patches that are missing, not YAML or not patches, a target that is not a
 * valid regular expression, a cycle of bases or an alias bomb leave the finding on the base's line.
 */
import { describe, expect, it } from "vitest";
import { locateKustomize } from "../../src/locate/kustomize.js";
import { YamlFiles } from "../../src/locate/yaml-file.js";
import type { AuditUnit, Resource } from "../../src/types.js";
import { tempTree } from "../helpers/tmp.js";

const STS = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: erlmcp
  namespace: erlmcp
spec:
  template:
    spec:
      containers:
        - name: erlmcp
          image: ghcr.io/erlmcp/erlmcp:3.0.0
          securityContext:
            privileged: true
`;

const HEADER = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

/** The object as the build gives it, attributed to base/statefulset.yaml, in the unit of `overlay`. */
function request(overlay: string, path: Array<string | number>) {
  const object = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "erlmcp", namespace: "erlmcp" },
    spec: {
      template: { spec: { containers: [{ name: "erlmcp", image: "ghcr.io/erlmcp/erlmcp:3.0.0", securityContext: { privileged: true } }] } },
    },
  };
  const resource: Resource = {
    ref: { apiVersion: "apps/v1", kind: "StatefulSet", namespace: "erlmcp", name: "erlmcp" },
    object,
    source: { file: "base/statefulset.yaml", line: 1, documentIndex: 3, renderedFrom: { tool: "kustomize", path: overlay } },
  };
  const unit: AuditUnit = { id: overlay, kind: "kustomize", path: overlay, resources: [resource], profile: "production" };
  return { unit, resource, path };
}

const PRIVILEGED = ["spec", "template", "spec", "containers", 0, "securityContext", "privileged"];
const inBase = { file: "base/statefulset.yaml", line: 13, column: 13, via: "field" };

describe("hostile kustomizations under the Kustomize locator", () => {
  const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]
`;
  const root = tempTree({
    "base/kustomization.yaml": `${HEADER}resources:\n  - statefulset.yaml\n`,
    "base/statefulset.yaml": STS,
    "broken/kustomization.yaml": `${HEADER}resources: [../base\npatches: {{{\n`,
    "odd/kustomization.yaml": `${HEADER}resources:
  - ../base
  - ../cycle
patches:
  - path: missing.yaml
  - path: not-yaml.yaml
  - path: scalar.yaml
  - path: bomb.yaml
  - target: {kind: StatefulSet, name: "erl[", labelSelector: "app in (a, b),!gone"}
    patch: |
      - op: replace
        path: /spec/template/spec/containers/0/securityContext/privileged
        value: true
  - patch: 42
patchesStrategicMerge:
  - |
    not: [a patch
replicas: nonsense
images: {name: x}
`,
    "odd/not-yaml.yaml": "\u0000\u0001 : : : {[}]\n",
    "odd/scalar.yaml": "just a string\n",
    "odd/bomb.yaml": bomb,
    "regex/kustomization.yaml": `${HEADER}resources:
  - ../base
patches:
  - target: {kind: StatefulSet, name: "erl.*", labelSelector: "app in (a, b)"}
    patch: |
      - op: replace
        path: /spec/template/spec/containers/0/securityContext/privileged
        value: true
`,
    "cycle/kustomization.yaml": `${HEADER}resources:\n  - ../odd\n`,
  });
  const context = () => ({ cwd: root, files: new YamlFiles(root), memo: new Map<string, unknown>() });

  it("places the field in the base when the overlay's kustomization no longer parses", () => {
    expect(locateKustomize(request("broken", PRIVILEGED), context())).toMatchObject(inBase);
  });

  it("skips patches that are missing, not YAML, not patches, alias bombs or target no valid pattern, and follows a cycle once", () => {
    expect(locateKustomize(request("odd", PRIVILEGED), context())).toMatchObject(inBase);
    expect(locateKustomize(request("odd", ["spec", "replicas"]), context())).toMatchObject({
      file: "base/statefulset.yaml",
      via: "parent",
    });
  });

  it("reads a target's name as a regular expression (the valid one selects, the invalid one above does not)", () => {
    expect(locateKustomize(request("regex", PRIVILEGED), context())).toEqual({
      file: "regex/kustomization.yaml",
      line: 9,
      column: 9,
      via: "kustomize-patch",
    });
  });

  it("gives no location (the caller keeps the object's) when the source no longer declares the object", () => {
    const gone = request("broken", PRIVILEGED);
    gone.resource.source.file = "odd/scalar.yaml";
    expect(locateKustomize(gone, context())).toBeUndefined();
  });
});
