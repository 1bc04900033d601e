/**
 * Helm charts: a finding points at the template line that renders the field (or the helper line a
 * template includes), and names the values file and key the value comes from.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { audit } from "../../src/audit.js";
import * as yamlFile from "../../src/locate/yaml-file.js";
import { includedValuesRefs, valuesRefs } from "../../src/locate/helm-values.js";
import type { AuditReport } from "../../src/report/types.js";
import type { Finding } from "../../src/types.js";
import { tempTree } from "../helpers/tmp.js";

const HELPERS = `{{/* Names. */}}
{{- define "demo.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The sidecar's securityContext. */}}
{{- define "demo.sidecarSecurityContext" -}}
runAsNonRoot: true
privileged: true
capabilities:
  drop: ["ALL"]
{{- end }}

{{- define "demo.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end }}
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "demo.fullname" . }}
  namespace: demo
  labels:
    app: demo
spec:
  replicas: 1
  selector:
    matchLabels:
      app: demo
  template:
    metadata:
      labels:
        app: demo
    spec:
      containers:
        - name: app
          image: {{ include "demo.image" . }}
          securityContext:
            privileged: {{ .Values.debug.privileged }}
        - name: sidecar
          image: busybox:1.36
          securityContext:
            {{- include "demo.sidecarSecurityContext" . | nindent 12 }}
        - name: tools
          image: busybox:1.36
          securityContext:
            {{- toYaml .Values.tools.securityContext | nindent 12 }}
        - name: extra
          image: busybox:1.36
          securityContext: {{- toYaml .Values.extra.securityContext | nindent 12 }}
`;

const VALUES = `debug:
  privileged: false
tools:
  securityContext:
    runAsNonRoot: true
    privileged: true
extra:
  securityContext: {privileged: true}
image:
  repository: nginx
  tag: "1.27"
`;

/** A template whose render the fast parser leaves to `yaml` (an anchor and its alias): the whole tagged render is then read by `yaml`. */
const ALIASES = `apiVersion: v1
kind: ConfigMap
metadata:
  name: aliases
  namespace: demo
data:
  a: &shared "x"
  b: *shared
`;

vi.mock("../../src/locate/yaml-file.js", async (original) => {
  const actual = await original<typeof yamlFile>();
  return { ...actual, parseYaml: vi.fn(actual.parseYaml) };
});

const privileged = (report: AuditReport, unit: string, container: number): Finding | undefined =>
  report.findings.find(
    (f) =>
      f.controlId === "pod-no-host-access" &&
      f.messageId === "privilegedContainer" &&
      f.unit === unit &&
      f.path === `spec.template.spec.containers[${container}].securityContext.privileged`,
  );

describe.each([
  { reader: "the fast parser and the block index", extra: {} as Record<string, string>, yamlParses: 0 },
  { reader: "yaml, when the render is outside the fast subset", extra: { "chart/templates/aliases.yaml": ALIASES }, yamlParses: 3 },
])("locations in Helm charts, the tagged render read by $reader", ({ extra, yamlParses }) => {
  const root = tempTree({
    ...extra,
    "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    "chart/values.yaml": VALUES,
    "chart/values-a.yaml": "debug:\n  privileged: true\n",
    "chart/values-b.yaml": "# A debug build: the app runs privileged.\nreplicas: 2\ndebug:\n  privileged: true\n",
    "chart/templates/_helpers.tpl": HELPERS,
    "chart/templates/deployment.yaml": DEPLOYMENT,
  });
  let report: AuditReport;
  beforeAll(async () => {
    vi.mocked(yamlFile.parseYaml).mockClear();
    report = await audit(["chart"], { cwd: root, config: false, controls: ["pod-no-host-access", "chg-image-digest"] });
  });

  it("reads the tagged renders (one per values file) with that reader", () => {
    const renders = vi.mocked(yamlFile.parseYaml).mock.calls.filter(([text]) => text.includes("# Source: demo/templates/"));
    expect(renders).toHaveLength(yamlParses);
  });

  it("points at the template line that renders a value, and at the values key and line it comes from", () => {
    expect(privileged(report, "chart@values-a.yaml", 0)?.location).toEqual({
      file: "chart/templates/deployment.yaml",
      line: 22,
      column: 13,
      via: "helm-template",
      values: { file: "chart/values-a.yaml", key: "debug.privileged", line: 2 },
    });
    // The chart's own values do not make it privileged: no finding there.
    expect(privileged(report, "chart@values.yaml", 0)).toBeUndefined();
  });

  it("follows an include into the helper line that writes the field", () => {
    expect(privileged(report, "chart@values.yaml", 1)?.location).toEqual({
      file: "chart/templates/_helpers.tpl",
      line: 9,
      column: 1,
      via: "helm-helper",
    });
  });

  it("points a field written by toYaml of values at the toYaml line, with the values key under it", () => {
    expect(privileged(report, "chart@values.yaml", 2)?.location).toEqual({
      file: "chart/templates/deployment.yaml",
      line: 30,
      via: "helm-template",
      values: { file: "chart/values.yaml", key: "tools.securityContext.privileged", line: 6 },
    });
  });

  it("places a field written by toYaml on its key's line on that line", () => {
    expect(privileged(report, "chart@values.yaml", 3)?.location).toEqual({
      file: "chart/templates/deployment.yaml",
      line: 33,
      via: "helm-template",
      values: { file: "chart/values.yaml", key: "extra.securityContext.privileged", line: 8 },
    });
  });

  it("names the values a helper reads when the template line includes it: the map holding them", () => {
    const image = report.findings.find(
      (f) => f.controlId === "chg-image-digest" && f.unit === "chart@values.yaml" && f.path === "spec.template.spec.containers[0].image",
    );
    expect(image?.location).toEqual({
      file: "chart/templates/deployment.yaml",
      line: 20,
      column: 11,
      via: "helm-template",
      values: { file: "chart/values.yaml", key: "image", line: 9 },
    });
  });

  it("gives the same template line for every values file rendering it; the values file named is the unit's own", () => {
    const a = privileged(report, "chart@values-a.yaml", 0)?.location;
    const b = privileged(report, "chart@values-b.yaml", 0)?.location;
    expect(b).toMatchObject({ file: a?.file, line: a?.line, via: "helm-template" });
    expect(b?.values).toEqual({ file: "chart/values-b.yaml", key: "debug.privileged", line: 4 });
    for (const unit of ["chart@values.yaml", "chart@values-a.yaml", "chart@values-b.yaml"]) {
      expect(privileged(report, unit, 1)?.location).toMatchObject({ file: "chart/templates/_helpers.tpl", line: 9 });
      // Not set by values-a.yaml or values-b.yaml: the chart's values.yaml sets it.
      expect(privileged(report, unit, 2)?.location?.values).toEqual({
        file: "chart/values.yaml",
        key: "tools.securityContext.privileged",
        line: 6,
      });
    }
  });
});

describe("values keys a template line reads", () => {
  const template = `{{- $v := .Values.cluster -}}
{{- $root := . -}}
image: "{{ .Values.image.repository }}:{{ $.Values.image.tag }}"
replicas: {{ $v.replicaCount }}
port: {{ $root.Values.ports.http }}
{{- with .Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
  runAsUser: {{ .runAsUser }}
{{- end }}
name: {{ .Release.Name }}
`;

  it("reads .Values, $.Values, variables bound to values and the scope of a with", () => {
    expect(valuesRefs(template, 3)).toEqual([
      ["image", "repository"],
      ["image", "tag"],
    ]);
    expect(valuesRefs(template, 4)).toEqual([["cluster", "replicaCount"]]);
    expect(valuesRefs(template, 5)).toEqual([["ports", "http"]]);
    expect(valuesRefs(template, 8)).toEqual([["podSecurityContext"]]);
    expect(valuesRefs(template, 9)).toEqual([["podSecurityContext", "runAsUser"]]);
    expect(valuesRefs(template, 11)).toEqual([]);
  });

  it("follows include and template into the defines of the chart's templates", () => {
    const helpers = `{{- define "x.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- include "x.tagged" . }}
{{- end }}
{{- end }}
{{- define "x.tagged" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end }}
{{- define "x.other" -}}
{{ .Values.unrelated }}
{{- end }}`;
    expect(includedValuesRefs('image: {{ include "x.image" . }}', ["", helpers])).toEqual([
      ["image", "digest"],
      ["image", "repository"],
      ["image", "tag"],
    ]);
    expect(includedValuesRefs('{{ template "x.tagged" . }}', [helpers])).toEqual([
      ["image", "repository"],
      ["image", "tag"],
    ]);
    expect(includedValuesRefs('{{ include "x.missing" . }}', [helpers])).toEqual([]);
  });
});
