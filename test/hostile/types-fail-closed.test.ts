/**
 * Types fail closed (issue 12): an object the API server would reject — a string where an integer or a
 * boolean belongs, a wrong type inside a known custom resource, a field the schema does not declare —
 * is an input error at its file and line (exit 2), never evaluated on a guess, whether it comes from a
 * plain file, a Helm render or a Kustomize build, while the good manifest beside it is still audited.
 * A custom resource no shipped schema knows is audited unchecked and listed as such.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

/** A Deployment whose container is privileged; `replicas` and `privileged` are written as given. */
const PRIVILEGED = (replicas: string, privileged: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: planted
  namespace: erlmcp
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: planted}
  template:
    metadata:
      labels: {app: planted}
    spec:
      containers:
        - name: planted
          image: example/planted:1.0
          securityContext:
            privileged: ${privileged}
`;

const ROLLOUT = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: planted, namespace: erlmcp}
spec:
  replicas: "3"
  selector: {matchLabels: {app: planted}}
  template:
    metadata: {labels: {app: planted}}
    spec:
      containers: [{name: planted, image: example/planted:1.0, securityContext: {privileged: true}}]
`;

const WIDGET = (privileged: string) => `apiVersion: example.com/v1
kind: Widget
metadata: {name: planted, namespace: erlmcp}
spec:
  template:
    spec:
      containers:
        - name: planted
          image: example/planted:1.0
          securityContext: {privileged: ${privileged}}
`;

const CHART = (template: string) => ({
  "case/chart/Chart.yaml": "apiVersion: v2\nname: planted\nversion: 0.1.0\n",
  "case/chart/values.yaml": "replicas: 2\n",
  "case/chart/templates/deploy.yaml": template,
});

const CASES: Array<[string, Record<string, string>, string, RegExp]> = [
  [
    "replicas as a string",
    { "case/deploy.yaml": PRIVILEGED('"2"', "true") },
    "case/deploy.yaml:7:3",
    /spec\.replicas: must be integer, got string "2"/,
  ],
  [
    "privileged as a string",
    { "case/deploy.yaml": PRIVILEGED("1", '"true"') },
    "case/deploy.yaml:18:13",
    /securityContext\.privileged: must be boolean, got string "true"/,
  ],
  [
    "a misspelt field next to a privileged container",
    {
      "case/deploy.yaml": PRIVILEGED("1", "true").replace(
        "    spec:\n      containers",
        "    spec:\n      hostPid: true\n      containers",
      ),
    },
    "case/deploy.yaml:14:7",
    /spec\.template\.spec\.hostPid: unknown field "hostPid"/,
  ],
  [
    "a wrong type in a known custom resource (Istio PeerAuthentication)",
    {
      "case/pa.yaml":
        "apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: planted, namespace: erlmcp}\nspec:\n  mtls:\n    mode: 3\n",
    },
    "case/pa.yaml:6:5",
    /spec\.mtls\.mode: must be string, got number 3/,
  ],
  [
    "a wrong type in a known custom resource (Argo Rollout)",
    { "case/rollout.yaml": ROLLOUT },
    "case/rollout.yaml:5:3",
    /spec\.replicas: must be integer/,
  ],
  [
    "a pod spec with a wrong type inside an unknown custom resource",
    { "case/widget.yaml": WIDGET('"true"') },
    "case/widget.yaml:10:29",
    /securityContext\.privileged: must be boolean, got string "true"/,
  ],
  [
    "a Helm template that quotes an integer",
    CHART(PRIVILEGED("{{ .Values.replicas | quote }}", "true")),
    "case/chart@values.yaml:9:3",
    /spec\.replicas: must be integer, got string "2"/,
  ],
  [
    "a Kustomize overlay whose patch writes a boolean as a string",
    {
      "case/overlay/kustomization.yaml":
        'resources: [deploy.yaml]\npatches:\n  - patch: |\n      - op: replace\n        path: /spec/template/spec/containers/0/securityContext/privileged\n        value: "true"\n    target: {kind: Deployment}\n',
      "case/overlay/deploy.yaml": PRIVILEGED("1", "true"),
    },
    "case/overlay:",
    /securityContext\.privileged: must be boolean, got string "true"/,
  ],
];

const good = { "good/cm.yaml": CONFIGMAP("survivor") };
const ARGS = ["--controls", "pod-no-host-access,pod-restricted-context", "--no-config"];

async function audit(paths: string[], controls = ["pod-no-host-access,pod-restricted-context"]) {
  const r = await runCli([...paths, "--controls", ...controls, "--no-config", "--format", "json"]);
  return { ...r, report: JSON.parse(r.stdout) as AuditReport };
}

describe("types fail closed: an object the API server would reject is an input error, never judged", () => {
  it.each(CASES)("%s", async (_, files, location, message) => {
    const root = tempTree({ ...good, ...files });
    const { code, report, stderr } = await audit([join(root, "case"), join(root, "good")]);
    expect(code, stderr).toBe(2);
    expect(report.inputErrors.map((e) => e.code)).toEqual(["SCHEMA"]);
    const [e] = report.inputErrors;
    expect(`${e!.file}:${e!.line}:${e!.column}`).toContain(location);
    expect(e!.message).toMatch(message);
    expect(e!.message).toMatch(/\(the API server would reject this object\)$/);
    expect(e!.hint).toMatch(/\S/);
    // The rejected object is not evaluated: no finding is computed from a guess about it.
    const names = report.units.flatMap((u) => u.resources.map((r) => r.name));
    expect(names).not.toContain("planted");
    expect(report.findings.filter((f) => f.resource.name === "planted")).toEqual([]);
    expect(names).toContain("survivor");
  });

  it("audits an unknown custom resource without a type check, and lists it in JSON and text", async () => {
    const root = tempTree({ ...good, "case/widget.yaml": WIDGET("false") });
    const { code, report } = await audit([join(root, "case"), join(root, "good")], ["pod-no-host-access"]);
    expect(code).toBe(0);
    expect(report.inputErrors).toEqual([]);
    expect(report.units.map((u) => [u.id.split("/").pop(), u.resources.map((r) => r.name), u.unvalidatedKinds])).toEqual([
      ["case", ["planted"], ["example.com/v1/Widget"]],
      ["good", ["survivor"], []],
    ]);
    const text = await runCli([join(root, "case"), ...ARGS, "--verbose"]);
    expect(text.stdout).toContain("not type-checked (no schema known for these kinds): example.com/v1/Widget");
  });

  it("still finds the privileged container of an unknown custom resource whose types are right", async () => {
    const root = tempTree({ ...good, "case/widget.yaml": WIDGET("true") });
    const { code, report } = await audit([join(root, "case"), join(root, "good")]);
    expect(code).toBe(1);
    expect(report.inputErrors).toEqual([]);
    expect(report.findings.filter((f) => f.status === "fail").map((f) => f.resource.name)).toContain("planted");
  });

  it("--kube-version is passed to Helm, and a malformed one is a usage error", async () => {
    const root = tempTree(
      CHART(
        '{{ if semverCompare ">=1.33-0" .Capabilities.KubeVersion.Version }}' +
          CONFIGMAP("new-cluster").trimEnd() +
          "\n{{ else }}" +
          CONFIGMAP("old-cluster").trimEnd() +
          "\n{{ end }}\n",
      ),
    );
    const names = async (...extra: string[]) =>
      (JSON.parse((await runCli([join(root, "case/chart"), ...ARGS, "--format", "json", ...extra])).stdout) as AuditReport).units.flatMap(
        (u) => u.resources.map((r) => r.name),
      );
    expect(await names()).toEqual(["old-cluster"]);
    expect(await names("--kube-version", "1.34")).toEqual(["new-cluster"]);
    const bad = await runCli([join(root, "case/chart"), ...ARGS, "--kube-version", "latest"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Kubernetes version such as 1\.31/);
  });

  it("keeps the reference manifests clean: manifests/ audits with no input error", async () => {
    const { code, stdout } = await runCli([join(PACKAGE_ROOT, "manifests"), "--format", "json"]);
    const report = JSON.parse(stdout) as AuditReport;
    expect(code).toBe(0);
    expect(report.inputErrors).toEqual([]);
    expect(report.units.flatMap((u) => u.unvalidatedKinds)).toEqual([]);
  }, 120_000);
});
