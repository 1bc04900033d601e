/**
 * Kustomize builds (the real kustomize): a finding points at the overlay line that sets the field —
 * a strategic-merge patch's key, a JSON 6902 op, a `replicas:`/`images:`/`namePrefix` entry, a
 * generator — and at the field in the base when no overlay sets it.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import { loadInputs } from "../../src/loaders/load.js";
import { locateKustomize } from "../../src/locate/kustomize.js";
import { YamlFiles } from "../../src/locate/yaml-file.js";
import type { AuditReport } from "../../src/report/types.js";
import type { Finding } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { tempTree } from "../helpers/tmp.js";

const BASE_STS = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: erlmcp
  namespace: erlmcp
  labels:
    app.kubernetes.io/name: erlmcp
spec:
  serviceName: erlmcp-headless
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: erlmcp
  template:
    metadata:
      labels:
        app.kubernetes.io/name: erlmcp
    spec:
      hostIPC: true
      containers:
        - name: erlmcp
          image: ghcr.io/erlmcp/erlmcp:3.0.0
          ports:
            - {name: epmd, containerPort: 4369}
          securityContext:
            runAsNonRoot: true
        - name: shell
          image: busybox@sha256:0f4b5c0b4b1f4e8e9c2d7a3e6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b
`;

const KUSTOMIZATION = (body: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
${body}`;

const tree = {
  "base/kustomization.yaml": KUSTOMIZATION("resources:\n  - statefulset.yaml\n  - configmap.yaml\n"),
  "base/statefulset.yaml": BASE_STS,
  // Its name is part of the generated erlmcp-env's: the loader attributes that one here.
  "base/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: erlmcp\n  namespace: erlmcp\n",
  "prod/kustomization.yaml": KUSTOMIZATION(`namePrefix: prod-
resources:
  - ../base
replicas:
  - name: erlmcp
    count: 1
images:
  - name: ghcr.io/erlmcp/erlmcp
    newTag: 3.1.0
patches:
  - path: debug-shell.yaml
  - target:
      kind: StatefulSet
      name: erlmcp
    patch: |-
      - op: add
        path: /spec/template/spec/hostPID
        value: true
patchesJson6902:
  - target: {group: apps, version: v1, kind: StatefulSet, name: erlmcp}
    path: sidecar-ops.yaml
patchesStrategicMerge:
  - |
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: erlmcp, namespace: erlmcp}
    spec:
      template:
        spec:
          terminationGracePeriodSeconds: 5
secretGenerator:
  - name: tokens
    envs:
      - tokens.env
configMapGenerator:
  - name: settings
    literals:
      - LOG_LEVEL=debug
  - name: erlmcp-env
    literals:
      - ERLMCP_ENV=prod
commonAnnotations:
  team: core
`),
  "prod/tokens.env": "# tokens\nAPI_TOKEN=x\nexport OTHER_TOKEN=y\n",
  // The shell container is the base's second: the merge puts the patched one first in the build.
  "prod/debug-shell.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: erlmcp
  namespace: erlmcp
spec:
  template:
    spec:
      containers:
        - name: shell
          securityContext:
            privileged: true
`,
  "prod/sidecar-ops.yaml": `- op: add
  path: /spec/template/spec/containers/-
  value:
    name: tracer
    image: busybox@sha256:0f4b5c0b4b1f4e8e9c2d7a3e6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b
    securityContext:
      allowPrivilegeEscalation: false
      privileged: true
- op: replace
  path: /spec/template/spec/hostNetwork
  value: true
`,
  // Built on prod: its own replicas entry is applied last and wins.
  "outer/kustomization.yaml": KUSTOMIZATION(`resources:
  - ../prod
replicas:
  - name: prod-erlmcp
    count: 2
`),
  // A builtin transformer configured in a file is not followed: the field is placed at its closest parent in the base.
  "plugin/kustomization.yaml": KUSTOMIZATION(`resources:
  - ../base
transformers:
  - host-network.yaml
`),
  "plugin/host-network.yaml": `apiVersion: builtin
kind: PatchTransformer
metadata:
  name: host-network
target:
  kind: StatefulSet
patch: '[{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": true}]'
`,
};

/** The 1-based line of the first line of `file` (in the tree) containing `needle`, after the line containing `after`. */
function lineOf(file: keyof typeof tree, needle: string, after?: string): number {
  const lines = tree[file].split("\n");
  const start = after === undefined ? 0 : lines.findIndex((l) => l.includes(after));
  const index = lines.findIndex((l, i) => i >= start && l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

const columnOf = (file: keyof typeof tree, needle: string, after?: string) =>
  tree[file].split("\n")[lineOf(file, needle, after) - 1]!.indexOf(needle.trimStart()) + 1;

describe("locations in Kustomize builds", () => {
  const root = tempTree(tree);
  let report: AuditReport;
  const find = (unit: string, control: string, messageId: string, path?: RegExp): Finding[] =>
    report.findings.filter(
      (f) => f.unit === unit && f.controlId === control && f.messageId === messageId && (!path || path.test(f.path ?? "")),
    );
  const one = (unit: string, control: string, messageId: string, path?: RegExp): Finding => {
    const found = find(unit, control, messageId, path);
    expect(found, `${control}/${messageId} ${path ?? ""} in ${unit}`).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(async () => {
    report = await audit([join(root, "prod"), join(root, "outer"), join(root, "plugin")], {
      cwd: root,
      config: false,
      controls: ["pod-no-host-access", "avl-quorum-replicas", "chg-image-digest", "pod-namespace-placement"],
    });
    expect(report.inputErrors).toEqual([]);
  });

  it("places a field a strategic-merge patch file sets on the patch's key, matching the container by name", () => {
    const finding = one("prod", "pod-no-host-access", "privilegedContainer", /containers\[0\]/);
    // The build lists the patched container first; the base lists it second.
    expect(finding.path).toBe("spec.template.spec.containers[0].securityContext.privileged");
    expect(finding.location).toEqual({
      file: "prod/debug-shell.yaml",
      line: lineOf("prod/debug-shell.yaml", "privileged: true"),
      column: columnOf("prod/debug-shell.yaml", "privileged"),
      via: "kustomize-patch",
    });
  });

  it("places a field an inline JSON 6902 op sets on the op's path line in kustomization.yaml", () => {
    const finding = one("prod", "pod-no-host-access", "hostNamespace", /hostPID/);
    expect(finding.location).toEqual({
      file: "prod/kustomization.yaml",
      line: lineOf("prod/kustomization.yaml", "path: /spec/template/spec/hostPID"),
      column: columnOf("prod/kustomization.yaml", "path: /spec/template/spec/hostPID"),
      via: "kustomize-patch",
    });
  });

  it("places fields of a JSON 6902 patch file: the op's path line, or the key inside an appended item", () => {
    expect(one("prod", "pod-no-host-access", "hostNamespace", /hostNetwork/).location).toMatchObject({
      file: "prod/sidecar-ops.yaml",
      line: lineOf("prod/sidecar-ops.yaml", "path: /spec/template/spec/hostNetwork"),
      via: "kustomize-patch",
    });
    const tracer = one("prod", "pod-no-host-access", "privilegedContainer", /containers\[2\]/);
    expect(tracer.location).toEqual({
      file: "prod/sidecar-ops.yaml",
      line: lineOf("prod/sidecar-ops.yaml", "privileged: true"),
      column: 7,
      via: "kustomize-patch",
    });
  });

  it("places spec.replicas on the replicas entry, the outermost kustomization's when several set it", () => {
    expect(one("prod", "avl-quorum-replicas", "tooFewReplicas").location).toEqual({
      file: "prod/kustomization.yaml",
      line: lineOf("prod/kustomization.yaml", "count: 1"),
      column: 5,
      via: "kustomize-transformer",
    });
    expect(one("outer", "avl-quorum-replicas", "tooFewReplicas").location).toMatchObject({
      file: "outer/kustomization.yaml",
      line: lineOf("outer/kustomization.yaml", "count: 2"),
      via: "kustomize-transformer",
    });
  });

  it("places a container's image on the images entry that retags it; an image no entry changes stays in the base", () => {
    const finding = one("prod", "chg-image-digest", "notPinned");
    expect(finding.path).toMatch(/containers\[1\]\.image$/);
    expect(finding.location).toMatchObject({
      file: "prod/kustomization.yaml",
      line: lineOf("prod/kustomization.yaml", "newTag: 3.1.0"),
      via: "kustomize-transformer",
    });
    const base = one("plugin", "chg-image-digest", "notPinned");
    expect(base.location).toEqual({
      file: "base/statefulset.yaml",
      line: lineOf("base/statefulset.yaml", "image: ghcr.io/erlmcp/erlmcp:3.0.0"),
      column: 11,
      via: "field",
      objectLines: [1, BASE_STS.trimEnd().split("\n").length],
    });
  });

  it("places a field only the base sets on its line in the base", () => {
    expect(one("prod", "pod-no-host-access", "hostNamespace", /hostIPC/).location).toMatchObject({
      file: "base/statefulset.yaml",
      line: lineOf("base/statefulset.yaml", "hostIPC: true"),
      column: 7,
      via: "field",
    });
  });

  it("places a missing field, and a field set by what the locator does not follow, at the closest parent in the base", () => {
    // No minReadySeconds anywhere: the finding is about `spec`, which the base declares.
    expect(one("prod", "avl-quorum-replicas", "noMinReadySeconds").location).toMatchObject({
      file: "base/statefulset.yaml",
      line: lineOf("base/statefulset.yaml", "spec:"),
      via: "field",
    });
    // hostNetwork comes from a PatchTransformer configured in a file: the base has only its parent.
    expect(one("plugin", "pod-no-host-access", "hostNamespace", /hostNetwork/).location).toMatchObject({
      file: "base/statefulset.yaml",
      line: lineOf("base/statefulset.yaml", "spec:", "template:"),
      via: "parent",
    });
  });

  it("places a generated object's field on its generator entry, also when a declared object's name is part of its name", () => {
    const generated = find("prod", "pod-namespace-placement", "namespaceMissing");
    const at = Object.fromEntries(generated.map((f) => [f.resource.name.replace(/-[a-z0-9]+$/, ""), f.location]));
    expect(Object.keys(at).sort()).toEqual(["prod-erlmcp-env", "prod-settings", "prod-tokens"]);
    expect(at["prod-settings"]).toMatchObject({
      file: "prod/kustomization.yaml",
      line: lineOf("prod/kustomization.yaml", "- name: settings"),
      via: "kustomize-transformer",
    });
    expect(at["prod-tokens"]).toMatchObject({ file: "prod/kustomization.yaml", line: lineOf("prod/kustomization.yaml", "- name: tokens") });
    expect(at["prod-erlmcp-env"]).toMatchObject({
      file: "prod/kustomization.yaml",
      line: lineOf("prod/kustomization.yaml", "- name: erlmcp-env"),
      via: "kustomize-transformer",
    });
  });

  it("places fields no control reports today: metadata.name, a template annotation, a generated data key", async () => {
    const loaded = await loadInputs([join(root, "prod")], { cwd: root });
    const unit = { ...loaded.units[0]!, profile: "production" };
    const context = { cwd: root, files: new YamlFiles(root), memo: new Map<string, unknown>() };
    const place = (kind: string, path: Array<string | number>) => {
      const resource = unit.resources.find((r) => r.ref.kind === kind && (kind !== "ConfigMap" || r.ref.name.includes("settings")))!;
      return locateKustomize({ unit, resource, path }, context);
    };
    const kustomization = "prod/kustomization.yaml" as const;
    expect(place("StatefulSet", ["metadata", "name"])).toMatchObject({ file: kustomization, line: lineOf(kustomization, "namePrefix:") });
    expect(place("StatefulSet", ["spec", "template", "metadata", "annotations", "team"])).toMatchObject({
      file: kustomization,
      line: lineOf(kustomization, "team: core"),
      column: 3,
      via: "kustomize-transformer",
    });
    expect(place("ConfigMap", ["data", "LOG_LEVEL"])).toMatchObject({
      file: kustomization,
      line: lineOf(kustomization, "- LOG_LEVEL=debug"),
    });
    expect(place("Secret", ["data", "OTHER_TOKEN"])).toEqual({ file: "prod/tokens.env", line: 3, column: 1, via: "kustomize-transformer" });
    // An inline strategic-merge patch written as a literal block: its own line and column in kustomization.yaml.
    expect(place("StatefulSet", ["spec", "template", "spec", "terminationGracePeriodSeconds"])).toEqual({
      file: kustomization,
      line: lineOf(kustomization, "terminationGracePeriodSeconds: 5"),
      column: columnOf(kustomization, "terminationGracePeriodSeconds"),
      via: "kustomize-patch",
    });
  });

  it("lands the GitHub annotation on the patch line", async () => {
    const previous = process.cwd();
    process.chdir(root);
    try {
      const github = await runCli(["prod", "--controls", "pod-no-host-access", "-f", "github"]);
      const line = lineOf("prod/debug-shell.yaml", "privileged: true");
      const annotation = github.stdout.split("\n").find((l) => l.includes("prod/debug-shell.yaml"));
      expect(annotation).toContain(`file=prod/debug-shell.yaml,line=${line}`);
      expect(readFileSync(join(root, "prod/debug-shell.yaml"), "utf8").split("\n")[line - 1]).toContain("privileged: true");
    } finally {
      process.chdir(previous);
    }
  });
});

describe("locations set by components and kustomization fields", () => {
  const files = {
    "base/kustomization.yaml": tree["base/kustomization.yaml"],
    "base/statefulset.yaml": BASE_STS,
    "base/configmap.yaml": tree["base/configmap.yaml"],
    "components/debug/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - path: privileged.yaml
    target:
      kind: StatefulSet
`,
    // With a target, the patch's own name does not select anything.
    "components/debug/privileged.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: any
spec:
  template:
    spec:
      containers:
        - name: erlmcp
          securityContext:
            privileged: true
`,
    "staging/kustomization.yaml": KUSTOMIZATION(`namespace: default
resources:
  - ../base
components:
  - ../components/debug
`),
    "psa/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: erlmcp\n",
    "psa/kustomization.yaml": KUSTOMIZATION(`resources:
  - namespace.yaml
labels:
  - pairs:
      pod-security.kubernetes.io/enforce: baseline
`),
    "psa-outer/kustomization.yaml": KUSTOMIZATION(`resources:
  - ../psa
commonLabels:
  pod-security.kubernetes.io/enforce: privileged
`),
  };
  const root = tempTree(files);
  let report: AuditReport;
  const locationOf = (unit: string, messageId: string, kind?: string) => {
    const found = report.findings.filter((f) => f.unit === unit && f.messageId === messageId && (!kind || f.resource.kind === kind));
    expect(found, `${messageId} in ${unit}`).toHaveLength(1);
    return found[0]!.location;
  };

  beforeAll(async () => {
    report = await audit(
      ["staging", "psa", "psa-outer"].map((d) => join(root, d)),
      {
        cwd: root,
        config: false,
        controls: ["pod-no-host-access", "pod-namespace-placement", "pod-security-admission"],
      },
    );
    expect(report.inputErrors).toEqual([]);
  });

  it("places a field a component's targeted patch sets on the component's patch file", () => {
    expect(locationOf("staging", "privilegedContainer")).toEqual({
      file: "components/debug/privileged.yaml",
      line: 11,
      column: 13,
      via: "kustomize-patch",
    });
  });

  it("places metadata.namespace on the namespace: line", () => {
    expect(locationOf("staging", "reservedNamespace", "StatefulSet")).toEqual({
      file: "staging/kustomization.yaml",
      line: 3,
      column: 1,
      via: "kustomize-transformer",
    });
  });

  it("places a label on its labels: pair, or on the outermost commonLabels that overrides it", () => {
    expect(locationOf("psa", "enforceLevelWeak")).toEqual({
      file: "psa/kustomization.yaml",
      line: 7,
      column: 7,
      via: "kustomize-transformer",
    });
    expect(locationOf("psa-outer", "enforceLevelWeak")).toEqual({
      file: "psa-outer/kustomization.yaml",
      line: 6,
      column: 3,
      via: "kustomize-transformer",
    });
  });
});
