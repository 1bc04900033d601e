/**
 * Helm and Kustomize units fail closed: a privileged container planted where the renders used to look
 * away (a base wrapped by an overlay that patches it, a stray manifest in a chart or kustomization
 * folder, a values file other than values-*.yaml, the branch of a template that asks the cluster for
 * a CRD) is audited and fails the run; what `entrypoints` leaves unrendered is listed as not audited,
 * and templates that depend on the cluster or the release (an upgrade, the namespace, the Kubernetes
 * version: what `helm template` fixes) get a notice. The good manifest beside it is always audited.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, PRIVILEGED_POD, tempTree } from "../helpers/tmp.js";

const GOOD = { "good/cm.yaml": CONFIGMAP("survivor") };
const CONTROLS = ["--controls", "pod-no-host-access"];

/** The production overlay holds a privileged pod; `wrapper` builds on it and patches the privilege away. */
const WRAPPED_OVERLAY = {
  "case/prod/kustomization.yaml": "resources: [pod.yaml]\n",
  "case/prod/pod.yaml": PRIVILEGED_POD("prod-app"),
  "case/wrapper/kustomization.yaml": "resources: [../prod]\npatches:\n  - path: unprivileged.yaml\n",
  "case/wrapper/unprivileged.yaml": PRIVILEGED_POD("prod-app", "false"),
};

const CHART = {
  "case/chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
  "case/chart/values.yaml": "privileged: false\n",
  "case/chart/templates/pod.yaml": PRIVILEGED_POD("from-chart", "{{ .Values.privileged }}"),
};

const CRD = (group: string, kind: string, plural: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
spec:
  group: ${group}
  names: {kind: ${kind}, listKind: ${kind}List, plural: ${plural}, singular: ${kind.toLowerCase()}}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, properties: {spec: {type: object}}}
`;
const SERVICE_MONITOR_CRD = CRD("monitoring.coreos.com", "ServiceMonitor", "servicemonitors");

/** The privileged pod is rendered only where the cluster serves monitoring.coreos.com/v1. */
const CAPABILITIES_TEMPLATE = `{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
${PRIVILEGED_POD("with-monitoring")}
{{- else }}
${CONFIGMAP("without-monitoring")}
{{- end }}
`;

async function auditJson(paths: string[], extra: string[] = ["--no-config"]) {
  const r = await runCli([...paths, ...CONTROLS, ...extra, "--format", "json"]);
  return { ...r, report: JSON.parse(r.stdout) as AuditReport };
}

const tail = (path: string, segments = 2) => path.split("/").slice(-segments).join("/");
const names = (report: AuditReport) => report.units.flatMap((u) => u.resources.map((r) => r.name));
const failingUnits = (report: AuditReport) => [...new Set(report.findings.filter((f) => f.status === "fail").map((f) => tail(f.unit)))];
const failingFiles = (report: AuditReport) => [
  ...new Set(report.findings.filter((f) => f.status === "fail").map((f) => tail(f.source.file, 3))),
];
const notAudited = (report: AuditReport) =>
  report.notAudited.map((n) => [tail(n.path, 3), n.reason, n.detail?.replace(/\S*\/(case\/)/g, "$1")]);

describe("Kustomize: every kustomization is rendered unless entrypoints say otherwise, and the narrowing is shown", () => {
  it("renders the overlay another overlay wraps and patches: its privileged pod fails the run", async () => {
    const root = tempTree({ ...GOOD, ...WRAPPED_OVERLAY });
    const { code, report, stderr } = await auditJson([join(root, "case"), join(root, "good")]);
    expect(code, stderr).toBe(1);
    expect(report.units.map((u) => [tail(u.id), u.kind])).toEqual([
      [tail(join(root, "good")), "files"],
      ["case/prod", "kustomize"],
      ["case/wrapper", "kustomize"],
    ]);
    expect(failingUnits(report)).toEqual(["case/prod"]);
    expect(failingFiles(report)).toEqual(["case/prod/pod.yaml"]);
    expect(notAudited(report)).toEqual([
      ["case/prod/kustomization.yaml", "kustomizeFile", "kustomization file of case/prod, rendered as its own unit"],
      ["case/wrapper/kustomization.yaml", "kustomizeFile", "kustomization file of case/wrapper, rendered as its own unit"],
      ["case/wrapper/unprivileged.yaml", "kustomizeFile", "patch of case/wrapper, applied through its build"],
    ]);
    expect(names(report)).toContain("survivor");
  });

  it("audits a stray manifest that sits in a kustomization folder but is not one of its resources", async () => {
    const root = tempTree({
      ...GOOD,
      "case/kust/kustomization.yaml": "resources: [cm.yaml]\n",
      "case/kust/cm.yaml": CONFIGMAP("from-kustomization"),
      "case/kust/stray.yaml": PRIVILEGED_POD("stray"),
    });
    const { code, report } = await auditJson([join(root, "case/kust"), join(root, "good")]);
    expect(code).toBe(1);
    expect(failingFiles(report)).toEqual(["case/kust/stray.yaml"]);
    expect(names(report)).toContain("from-kustomization");
    // The folder is both a kustomization and a folder of plain files: two units, two IDs.
    expect(report.units.filter((u) => u.path.endsWith("case/kust")).map((u) => [tail(u.id), u.kind])).toEqual([
      ["case/kust (plain files)", "files"],
      ["case/kust", "kustomize"],
    ]);
    expect(names(report)).toContain("survivor");
  });

  it("entrypoints narrow the renders; every kustomization not rendered on its own is listed as not audited, with a notice", async () => {
    const root = tempTree({
      ...GOOD,
      ...WRAPPED_OVERLAY,
      "case/unused/kustomization.yaml": "resources: [pod.yaml]\n",
      "case/unused/pod.yaml": PRIVILEGED_POD("unused"),
      "erlmcp-audit.config.yaml": "entrypoints: [case/wrapper]\n",
    });
    const config = ["--config", join(root, "erlmcp-audit.config.yaml")];
    const { code, report, stderr } = await auditJson([join(root, "case"), join(root, "good")], config);
    expect(code, stderr).toBe(0);
    expect(report.units.map((u) => tail(u.id))).toEqual([tail(join(root, "good")), "case/wrapper"]);
    expect(notAudited(report).filter(([, reason]) => reason === "kustomizeFile")).toEqual([
      [
        "case/prod/kustomization.yaml",
        "kustomizeFile",
        "used as a base by case/wrapper; not an entry point, so not rendered on its own (audited through their builds)",
      ],
      ["case/unused/kustomization.yaml", "kustomizeFile", "not an entry point and not used by one: not rendered, nothing in it is audited"],
      ["case/unused/pod.yaml", "kustomizeFile", "resource of case/unused, which is not an entry point and not used by one: not audited"],
      ["case/wrapper/kustomization.yaml", "kustomizeFile", "kustomization file of case/wrapper, rendered as its own unit"],
      ["case/wrapper/unprivileged.yaml", "kustomizeFile", "patch of case/wrapper, applied through its build"],
    ]);
    expect(report.notices).toMatchObject([{ code: "KUSTOMIZE_ENTRYPOINTS", message: expect.stringContaining("to 1 of 3") }]);
    expect(names(report)).toContain("survivor");

    const text = await runCli([join(root, "case"), join(root, "good"), ...CONTROLS, ...config]);
    expect(text.stdout).toMatch(/entrypoints narrow the kustomizations rendered on their own to 1 of 3 .*\[KUSTOMIZE_ENTRYPOINTS\]/);
  });

  it.each([
    [
      "an Argo CD Application",
      "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: prod, namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: https://example.com/repo.git, path: case/prod}\n  destination: {server: https://kubernetes.default.svc, namespace: erlmcp}\n",
    ],
    [
      "a Flux Kustomization",
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: prod, namespace: flux-system}\nspec:\n  interval: 10m\n  sourceRef: {kind: GitRepository, name: repo}\n  path: ./case/prod\n  prune: true\n",
    ],
  ])("entrypoints from GitOps: %s deploys the inner overlay, which is rendered and fails", async (_, object) => {
    const root = tempTree({
      ...GOOD,
      ...WRAPPED_OVERLAY,
      "gitops/deploy.yaml": object,
      "erlmcp-audit.config.yaml": "entrypoints: {fromGitOps: true, gitOpsRoot: .}\n",
    });
    const config = ["--config", join(root, "erlmcp-audit.config.yaml")];
    const { code, report, stderr } = await auditJson([join(root, "case"), join(root, "gitops"), join(root, "good")], config);
    expect(code, stderr).toBe(1);
    expect(report.units.filter((u) => u.kind === "kustomize").map((u) => tail(u.id))).toEqual(["case/prod"]);
    expect(failingUnits(report)).toEqual(["case/prod"]);
    expect(notAudited(report)).toContainEqual([
      "case/wrapper/kustomization.yaml",
      "kustomizeFile",
      "not an entry point and not used by one: not rendered, nothing in it is audited",
    ]);
    expect(names(report)).toContain("survivor");
  });

  it("entrypoints that name no kustomization among the inputs render every kustomization, with a notice", async () => {
    const root = tempTree({ ...GOOD, ...WRAPPED_OVERLAY, "erlmcp-audit.config.yaml": "entrypoints: {fromGitOps: true}\n" });
    const { code, report } = await auditJson(
      [join(root, "case"), join(root, "good")],
      ["--config", join(root, "erlmcp-audit.config.yaml")],
    );
    expect(code).toBe(1);
    expect(failingUnits(report)).toEqual(["case/prod"]);
    expect(report.notices.map((n) => n.code)).toEqual(["KUSTOMIZE_NO_ENTRYPOINT"]);
  });

  it("an entry point that is not a kustomization folder is an input error", async () => {
    const root = tempTree({ ...GOOD, ...WRAPPED_OVERLAY, "erlmcp-audit.config.yaml": "entrypoints: [case/typo]\n" });
    const { code, report } = await auditJson(
      [join(root, "case"), join(root, "good")],
      ["--config", join(root, "erlmcp-audit.config.yaml")],
    );
    expect(code).toBe(2);
    expect(report.inputErrors).toMatchObject([
      { code: "ENTRYPOINT_NOT_FOUND", message: "entrypoints: case/typo is not a kustomization folder" },
    ]);
    expect(names(report)).toContain("survivor");
  });
});

describe("Helm: the whole chart folder is accounted for, every values file is rendered, the CRD branch is the one audited", () => {
  it("audits a stray manifest next to Chart.yaml and lists what Helm reads for something else", async () => {
    const root = tempTree({
      ...GOOD,
      ...CHART,
      "case/chart/stray.yaml": PRIVILEGED_POD("stray"),
      "case/chart/templates/_helpers.tpl": '{{- define "demo.name" -}}demo{{- end }}\n',
      "case/chart/templates/NOTES.txt": "Installed.\n",
      "case/chart/files/settings.yaml": "not: a manifest\n",
      "case/chart/templates/cm.yaml":
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata:\n  settings.yaml: {{ .Files.Get "files/settings.yaml" | quote }}\n',
    });
    const { code, report, stderr } = await auditJson([join(root, "case"), join(root, "good")]);
    expect(code, stderr).toBe(1);
    expect(failingFiles(report)).toEqual(["case/chart/stray.yaml"]);
    expect(notAudited(report)).toEqual([
      ["case/chart/Chart.yaml", "chartFile", "chart metadata"],
      ["chart/files/settings.yaml", "chartFile", "read by case/chart/templates/cm.yaml through .Files.Get"],
      ["chart/templates/NOTES.txt", "chartFile", "release notes printed by helm install (not applied)"],
      ["chart/templates/_helpers.tpl", "chartFile", "template helpers (named templates other templates include)"],
      ["case/chart/values.yaml", "chartFile", "values file, rendered as unit case/chart@values.yaml"],
    ]);
    expect(names(report)).toContain("survivor");
  });

  it("renders the chart's crds/ into the unit: Helm installs them", async () => {
    const root = tempTree({ ...GOOD, ...CHART, "case/chart/crds/widgets.yaml": CRD("example.com", "Widget", "widgets") });
    const { code, report, stderr } = await auditJson([join(root, "case"), join(root, "good")]);
    expect(code, stderr).toBe(0);
    const chart = report.units.find((u) => u.kind === "helm")!;
    expect(chart.resources.map((r) => [r.kind, r.name])).toEqual([
      ["CustomResourceDefinition", "widgets.example.com"],
      ["Pod", "from-chart"],
    ]);
    expect(names(report)).toContain("survivor");
  });

  it.each(["values.prod.yaml", "values-prod.yaml", "values/eu.yaml", "ci/x-values.yaml"])(
    "renders %s as its own unit; a privileged setting in it fails the run, naming that values file",
    async (planted) => {
      const others = ["values.prod.yaml", "values-prod.yaml", "values/eu.yaml", "ci/x-values.yaml"].filter((v) => v !== planted);
      const root = tempTree({
        ...GOOD,
        ...CHART,
        ...Object.fromEntries(others.map((v) => [`case/chart/${v}`, "privileged: false\n"])),
        [`case/chart/${planted}`]: "privileged: true\n",
      });
      const { code, report, stderr } = await auditJson([join(root, "case"), join(root, "good")]);
      expect(code, stderr).toBe(1);
      expect(report.units.filter((u) => u.kind === "helm").map((u) => u.id.split("@")[1])).toEqual([
        "values.yaml",
        "values-prod.yaml",
        "values.prod.yaml",
        "values/eu.yaml",
        "ci/x-values.yaml",
      ]);
      const failing = report.findings.filter((f) => f.status === "fail");
      expect(failing.length).toBeGreaterThan(0);
      expect([...new Set(failing.map((f) => f.unit.split("@")[1]))]).toEqual([planted]);
      expect([...new Set(failing.map((f) => tail(f.source.renderedFrom!.values!, planted.split("/").length)))]).toEqual([planted]);
      expect(names(report)).toContain("survivor");
    },
  );

  const capabilitiesCases: Array<[string, Record<string, string>, string[], number]> = [
    ["the chart's crds/ define the CRD", { "case/chart/crds/servicemonitors.yaml": SERVICE_MONITOR_CRD }, [], 1],
    ["another input defines the CRD", { "case/cluster/servicemonitors.yaml": SERVICE_MONITOR_CRD }, [], 1],
    ["helm.apiVersions names it", {}, ["helm:\n  apiVersions: [monitoring.coreos.com/v1]\n"], 1],
    ["nothing defines it (the fallback branch is audited)", {}, [], 0],
  ];
  it.each(capabilitiesCases)(
    "a template branching on .Capabilities.APIVersions: %s; the notice names the template",
    async (_, files, config, exit) => {
      const root = tempTree({ ...GOOD, ...CHART, "case/chart/templates/monitor.yaml": CAPABILITIES_TEMPLATE, ...files });
      const configArgs = config.length ? ["--config", join(root, "erlmcp-audit.config.yaml")] : ["--no-config"];
      if (config.length) writeFileSync(join(root, "erlmcp-audit.config.yaml"), config.join(""));
      const { code, report, stderr } = await auditJson([join(root, "case"), join(root, "good")], configArgs);
      expect(code, stderr).toBe(exit);
      expect(names(report)).toContain(exit ? "with-monitoring" : "without-monitoring");
      if (exit) expect(failingFiles(report)).toEqual(["chart/templates/monitor.yaml"]);
      expect(report.notices.map((n) => [n.code, tail(n.file, 3)])).toEqual([["HELM_CAPABILITIES", "chart/templates/monitor.yaml"]]);
      expect(names(report)).toContain("survivor");
    },
  );

  const installTimeCases: Array<[string, string, Record<string, string>, [string, string]]> = [
    ["an upgrade (.Release.IsUpgrade)", "{{ .Release.IsUpgrade }}", {}, ["HELM_RELEASE", "chart/templates/pod.yaml"]],
    ["a later revision (.Release.Revision)", "{{ gt (int .Release.Revision) 1 }}", {}, ["HELM_RELEASE", "chart/templates/pod.yaml"]],
    ["the release as a whole", "{{ $r := .Release }}{{ $r.IsUpgrade }}", {}, ["HELM_RELEASE", "chart/templates/pod.yaml"]],
    [
      "the namespace installed into",
      '{{ if eq .Release.Namespace "kube-system" }}true{{ else }}false{{ end }}',
      {},
      ["HELM_RELEASE", "chart/templates/pod.yaml"],
    ],
    [
      "a newer cluster (.Capabilities.KubeVersion)",
      '{{ semverCompare ">=1.32-0" .Capabilities.KubeVersion.Version }}',
      {},
      ["HELM_KUBE_VERSION", "chart/templates/pod.yaml"],
    ],
    [
      "an upgrade, in a values file a template renders through tpl",
      "{{ tpl .Values.privileged . }}",
      { "case/chart/values.yaml": 'privileged: "{{ .Release.IsUpgrade }}"\n' },
      ["HELM_RELEASE", "case/chart/values.yaml"],
    ],
  ];
  it.each(installTimeCases)(
    "a template whose privilege depends on %s (helm template renders it unprivileged): a notice names the file",
    async (_, privileged, files, notice) => {
      const root = tempTree({ ...GOOD, ...CHART, "case/chart/templates/pod.yaml": PRIVILEGED_POD("from-chart", privileged), ...files });
      const { code, report, stderr } = await auditJson([join(root, "case"), join(root, "good")]);
      expect(code, stderr).toBe(0);
      expect(names(report)).toEqual(expect.arrayContaining(["from-chart", "survivor"]));
      expect(report.notices.map((n) => [n.code, tail(n.file, 3)])).toEqual([notice]);
    },
  );

  it("a template that only prints the release's name and namespace gets no notice", async () => {
    const root = tempTree({
      ...GOOD,
      ...CHART,
      "case/chart/templates/cm.yaml": CONFIGMAP("{{ .Release.Name }}-cm", "{{ .Release.Namespace }}"),
    });
    const { code, report } = await auditJson([join(root, "case"), join(root, "good")]);
    expect(code).toBe(0);
    expect(report.notices).toEqual([]);
  });

  it("a template that calls lookup gets a notice naming it", async () => {
    const root = tempTree({
      ...GOOD,
      ...CHART,
      "case/chart/templates/secret-check.yaml":
        '{{- if not (lookup "v1" "Secret" .Release.Namespace "existing") }}\n' + CONFIGMAP("no-secret-yet") + "{{- end }}\n",
    });
    const { code, report } = await auditJson([join(root, "case"), join(root, "good")]);
    expect(code).toBe(0);
    expect(report.notices.map((n) => [n.code, tail(n.file, 3)])).toEqual([["HELM_LOOKUP", "chart/templates/secret-check.yaml"]]);
    const text = await runCli([join(root, "case"), join(root, "good"), ...CONTROLS, "--no-config"]);
    expect(text.stdout).toMatch(/secret-check\.yaml: calls lookup, .*\[HELM_LOOKUP\]/);
    const markdown = await runCli([join(root, "case"), join(root, "good"), ...CONTROLS, "--no-config", "--format", "markdown"]);
    expect(markdown.stdout).toMatch(/secret-check\.yaml<\/code>: calls lookup, .*\(HELM_LOOKUP\)/);
  });
});
