/**
 * Hostile Helm templates for the locator: the comment tags it adds to a copy of the chart must not
 * change what the chart renders, and when they would (or the tagged render fails), the finding is
 * still placed, from the template text.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import { DEFAULT_KUBE_VERSION, renderHelm } from "../../src/loaders/render.js";
import { tagTemplate } from "../../src/locate/helm-tag.js";
import { valuesRefs } from "../../src/locate/helm-values.js";
import { tempTree } from "../helpers/tmp.js";

const CHART = "apiVersion: v2\nname: tricky\nversion: 0.1.0\n";

const HELPERS = `{{- define "tricky.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tricky.labels" -}}
app: tricky
tier: {{ .Values.tier | quote }}
{{- end }}

{{- define "tricky.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end }}
`;

// Block scalars (literal, folded, with templates inside), a multi-line action and a multi-line comment,
// a line a `{{-` action continues, flow collections across lines, a helper used as a scalar and as a
// map, toYaml of a multi-line string, tpl of a values string, a `-}}` at a line's end.
const TEMPLATES = `{{- $settings := dict
      "a" 1
      "b" (printf "%s" "two") }}
{{- /* a comment
     over two lines */ -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "tricky.fullname" . }}-config
  labels:
    {{- include "tricky.labels" . | nindent 4 }}
  annotations:
    note: "# not a comment"
    joined: prefix
      {{- printf "-%s" "suffix" }}
    trimmed: {{ "value" -}}
      {{ "-tail" }}
data:
  script: |
    #!/bin/sh
    echo {{ .Values.greeting }} # still the script
  {{- if .Values.extra }}
    echo extra
  {{- end }}
  folded: >-
    one
    two
  settings: {{ $settings | toJson | quote }}
  list: "[{{ join ", " .Values.items }}]"
  files:
{{ toYaml .Values.files | indent 4 }}
  rendered: {{ tpl .Values.templated . | quote }}
  flow: [a,
    b]
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "tricky.fullname" . }}
  namespace: tricky
  labels: {{- include "tricky.labels" . | nindent 4 }}
spec:
  containers:
    - name: app
      image: {{ include "tricky.image" . }}
      args:
        {{- toYaml .Values.args | nindent 8 }}
      securityContext:
        {{- with .Values.securityContext }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
`;

const VALUES = `tier: backend
greeting: hello
extra: true
items: [x, y]
image:
  repository: nginx
  tag: "1.27"
files:
  run.sh: |
    #!/bin/sh
    exec app
args:
  - --config
  - |
    multi
    line
templated: "{{ .Release.Name }}-x"
securityContext:
  privileged: true
`;

function renderedObjects(stream: string): unknown[] {
  return parseAllDocuments(stream)
    .map((d) => d.toJS())
    .filter((o) => o !== null);
}

/** The objects `chart` renders with `values`, as is and from a copy with every template tagged. */
async function plainAndTagged(chart: string, values: string, cwd: string): Promise<{ plain: string; tagged: string }> {
  const copy = mkdtempSync(join(tmpdir(), "erlmcp-audit-tagged-"));
  try {
    cpSync(join(cwd, chart), copy, { recursive: true });
    readdirSync(join(copy, "templates"), { recursive: true, encoding: "utf8" })
      .filter((file) => /\.(ya?ml|tpl)$/.test(file))
      .forEach((file, index) => {
        const at = join(copy, "templates", file);
        writeFileSync(at, tagTemplate(readFileSync(at, "utf8"), index));
      });
    const options = { kubeVersion: DEFAULT_KUBE_VERSION };
    const plain = await renderHelm(chart, values, options, cwd, "plain");
    const tagged = await renderHelm(chart, values, options, cwd, "tagged", copy);
    expect(plain.error).toBeUndefined();
    expect(tagged.error).toBeUndefined();
    return { plain: plain.stdout!, tagged: tagged.stdout! };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe("tagging Helm templates", () => {
  const root = tempTree({
    "chart/Chart.yaml": CHART,
    "chart/values.yaml": VALUES,
    "chart/templates/_helpers.tpl": HELPERS,
    "chart/templates/all.yaml": TEMPLATES,
  });

  it("renders the same objects once every template is tagged", async () => {
    const { plain, tagged } = await plainAndTagged("chart", "chart/values.yaml", root);
    expect(tagged).toMatch(/#@L:/);
    expect(renderedObjects(tagged)).toEqual(renderedObjects(plain));
  });

  it.each(["values.yaml", "values-development.yaml", "values-staging.yaml", "values-production.yaml"])(
    "renders the same objects of the reference chart once tagged (%s)",
    async (values) => {
      const chart = "manifests/helm/erlmcp";
      const { plain, tagged } = await plainAndTagged(chart, `${chart}/${values}`, process.cwd());
      expect(tagged).toMatch(/#@L:/);
      expect(renderedObjects(tagged)).toEqual(renderedObjects(plain));
    },
  );

  it("places a field of such a chart on its template line", async () => {
    const report = await audit(["chart"], { cwd: root, config: false, controls: ["pod-no-host-access"] });
    const finding = report.findings.find((f) => f.messageId === "privilegedContainer");
    expect(finding?.location).toEqual({
      file: "chart/templates/all.yaml",
      line: 50,
      via: "helm-template",
      values: { file: "chart/values.yaml", key: "securityContext.privileged", line: 19 },
    });
  });
});

const POD = (privileged: string) => `apiVersion: v1
kind: Pod
metadata:
  name: guarded
  namespace: guarded
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: ${privileged}
`;

describe("when the tagged render cannot be trusted", () => {
  it("places the field from the template text when the tags make the render fail", async () => {
    const root = tempTree({
      "chart/Chart.yaml": CHART,
      "chart/values.yaml": "flag: true\n",
      "chart/templates/_helpers.tpl": '{{- define "guard.labels" -}}\napp: guarded\n{{- end }}\n',
      "chart/templates/pod.yaml": `{{- if contains "#" (include "guard.labels" .) }}{{ fail "a comment in the labels" }}{{ end }}\n${POD("{{ .Values.flag }}")}`,
    });
    const report = await audit(["chart"], { cwd: root, config: false, controls: ["pod-no-host-access"] });
    const finding = report.findings.find((f) => f.messageId === "privilegedContainer");
    expect(finding?.location).toEqual({ file: "chart/templates/pod.yaml", line: 12, column: 9, via: "helm-template" });
  });

  it("places the field from the template text when the tags change the value audited", async () => {
    const root = tempTree({
      "chart/Chart.yaml": CHART,
      "chart/values.yaml": "{}\n",
      "chart/templates/_helpers.tpl": '{{- define "guard.flag" -}}\nenabled: yes\n{{- end }}\n',
      "chart/templates/pod.yaml": POD('{{ not (contains "#" (include "guard.flag" .)) }}'),
    });
    const report = await audit(["chart"], { cwd: root, config: false, controls: ["pod-no-host-access"] });
    const finding = report.findings.find((f) => f.messageId === "privilegedContainer");
    expect(finding?.location).toEqual({ file: "chart/templates/pod.yaml", line: 11, column: 9, via: "helm-template" });
  });
});

describe("templates written with CRLF line ends", () => {
  it("renders the same objects once tagged and places the field on its line", async () => {
    const crlf = (text: string) => text.replace(/\n/g, "\r\n");
    const root = tempTree({
      "chart/Chart.yaml": CHART,
      "chart/values.yaml": crlf("flag: true\n"),
      "chart/templates/_helpers.tpl": crlf('{{- define "guard.labels" -}}\napp: guarded\n{{- end }}\n'),
      "chart/templates/pod.yaml": crlf(
        POD("{{ .Values.flag }}").replace(
          "  namespace: guarded\n",
          '  namespace: guarded\n  labels:\n    {{- include "guard.labels" . | nindent 4 }}\n',
        ),
      ),
    });
    const { plain, tagged } = await plainAndTagged("chart", "chart/values.yaml", root);
    expect(tagged).toMatch(/#@L:\d+:\d+\r\n/);
    expect(renderedObjects(tagged)).toEqual(renderedObjects(plain));
    const report = await audit(["chart"], { cwd: root, config: false, controls: ["pod-no-host-access"] });
    const finding = report.findings.find((f) => f.messageId === "privilegedContainer");
    expect(finding?.location).toEqual({
      file: "chart/templates/pod.yaml",
      line: 13,
      column: 9,
      via: "helm-template",
      values: { file: "chart/values.yaml", key: "flag", line: 1 },
    });
  });
});

describe("long template lines", () => {
  it("are tagged and read for values in linear time", () => {
    // Without bounds, the key pattern backtracks over a long run of blanks: minutes for this line.
    const long = `a${" ".repeat(200_000)}b\n  key: {{${" ".repeat(100_000)}.Values.x }}\n`;
    const started = performance.now();
    const tagged = tagTemplate(long, 0);
    expect(valuesRefs(long, 2)).toEqual([["x"]]);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(tagged.split("\n")[1]).toMatch(/ #@L:0:2$/);
  });
});
