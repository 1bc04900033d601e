/**
 * The type check of parsed objects: what the API server would reject is an input error at the field's
 * line, what it would accept (nulls, int-or-string, numeric quantities, declared maps, CRD extensions)
 * passes, and every control fixture is an object the API server would accept.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { checkObjectTypes } from "../../src/k8s/schema/validate.js";
import { loadInputs } from "../../src/loaders/load.js";
import { fieldPath, MAX_PROBLEMS_PER_OBJECT, typeCheckParsed } from "../../src/loaders/validate-types.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { InputError } from "../../src/types.js";
import { REJECTED_BY_API_SERVER } from "../cluster/fixtures-rejected.js";
import { FIXTURES_DIR } from "../fixture-files.js";
import { tempTree } from "../helpers/tmp.js";

const DEPLOYMENT = (spec: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
${extra}spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx@sha256:${"a".repeat(64)}
${spec}`;

async function check(text: string): Promise<{ errors: InputError[]; kept: string[]; unvalidated: string[] }> {
  const parsed = parseManifestStream(text, { file: "x.yaml", locateFields: true });
  expect(parsed.errors).toEqual([]);
  const errors: InputError[] = [];
  const { resources, unvalidatedKinds } = await typeCheckParsed(parsed, errors);
  return { errors, kept: resources.map((r) => `${r.ref.kind}/${r.ref.name}`), unvalidated: unvalidatedKinds };
}

const where = (e: InputError) => `${e.file}:${e.line}:${e.column}`;
const SUFFIX = " (the API server would reject this object)";
/** The field and the problem, without the object's name and the common ending. */
const field = (e: InputError) => e.message.slice(e.message.indexOf(": ") + 2).replace(SUFFIX, "");

describe("type check of parsed objects", () => {
  it("names the field, the expected and the given type, at the field's line and column", async () => {
    const { errors, kept } = await check(DEPLOYMENT("", "").replace("spec:\n  selector", 'spec:\n  replicas: "2"\n  selector'));
    expect(kept).toEqual([]);
    expect(errors.map((e) => [e.code, where(e), e.message])).toEqual([
      [
        "SCHEMA",
        "x.yaml:7:3",
        'Deployment shop/web: spec.replicas: must be integer, got string "2" (the API server would reject this object)',
      ],
    ]);
    expect(errors[0]!.hint).toMatch(/docs\/inputs\.md/);
  });

  it("reports a privileged flag written as a string instead of judging it", async () => {
    const { errors } = await check(DEPLOYMENT('          securityContext:\n            privileged: "true"\n'));
    expect(errors.map((e) => [where(e), field(e)])).toEqual([
      ["x.yaml:17:13", 'spec.template.spec.containers[0].securityContext.privileged: must be boolean, got string "true"'],
    ]);
  });

  it("rejects unknown fields, as kubectl apply's strict validation does, pointing at the key", async () => {
    const { errors } = await check(DEPLOYMENT("          securityContxt:\n            privileged: true\n"));
    expect(errors.map((e) => [where(e), e.message])).toEqual([
      [
        "x.yaml:16:11",
        'Deployment shop/web: spec.template.spec.containers[0].securityContxt: unknown field "securityContxt" (the API server would reject this object)',
      ],
    ]);
    expect(errors[0]!.hint).toMatch(/unknown fields/);
  });

  it("accepts what the API server accepts: nulls, int-or-string, numeric quantities, label maps", async () => {
    const { errors, kept } = await check(
      DEPLOYMENT(
        "          resources:\n            limits: {cpu: 1, memory: 1Gi}\n            requests: {cpu: 250m}\n          ports:\n            - containerPort: 8080\n      nodeSelector: null\n",
        "  creationTimestamp: null\n  labels: {tier: web, version: '3'}\n  annotations:\n",
      ).replace("spec:\n  selector", "spec:\n  strategy:\n    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}\n  selector"),
    );
    expect(errors).toEqual([]);
    expect(kept).toEqual(["Deployment/web"]);
  });

  it("rejects a malformed quantity and a number where a label value (string) belongs", async () => {
    const { errors } = await check(DEPLOYMENT("          resources:\n            limits: {cpu: 1 core}\n", "  labels: {version: 3}\n"));
    expect(errors.map(field)).toEqual([
      "metadata.labels.version: must be string, got number 3",
      'spec.template.spec.containers[0].resources.limits.cpu: must be a quantity such as 500m, 2 or 1Gi, got string "1 core"',
    ]);
  });

  it("checks the custom resources it knows, and keeps the fields their schemas declare", async () => {
    const { errors } = await check(
      "apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: default}\nspec:\n  mtls:\n    mode: 3\n",
    );
    expect(errors.map((e) => [where(e), field(e)])).toEqual([["x.yaml:6:5", "spec.mtls.mode: must be string, got number 3"]]);
    const fine = await check(
      [
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: p}\nvalue: 1000\ndescription: declared by the API (the model generator strips it)\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  project: default\n  destination: {server: https://kubernetes.default.svc}\n  source:\n    repoURL: https://example.com/r.git\n    helm:\n      valuesObject: {any: {nested: [1, true]}}\n",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          description: a widget\n          x-kubernetes-preserve-unknown-fields: true\n",
      ].join("---\n"),
    );
    expect(fine.errors).toEqual([]);
    expect(fine.kept).toEqual(["PriorityClass/p", "Application/a", "CustomResourceDefinition/widgets.example.com"]);
  });

  it("passes an unknown custom resource unchecked but lists it, and still type-checks the pod spec it embeds", async () => {
    const widget = (privileged: string) =>
      `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  anything: [1, 2]\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: c\n              image: x\n              extra: tolerated\n              securityContext: {privileged: ${privileged}}\n`;
    const ok = await check(widget("false"));
    expect(ok).toEqual({ errors: [], kept: ["Widget/w"], unvalidated: ["example.com/v1/Widget"] });
    const bad = await check(widget('"true"'));
    expect(bad.kept).toEqual([]);
    expect(bad.errors.map((e) => [where(e), field(e)])).toEqual([
      ["x.yaml:14:33", 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged: must be boolean, got string "true"'],
    ]);
  });

  it("checks a SOPS-encrypted Secret in its decrypted shape", async () => {
    const secret = (value: string) =>
      `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\ndata:\n  k: ${value}\nsops:\n  mac: ENC[AES256_GCM,data:bWFj,iv:AA==,tag:AA==,type:str]\n  version: 3.9.4\n`;
    expect((await check(secret("ENC[AES256_GCM,data:3q2+7w==,iv:AA==,tag:AA==,type:str]"))).errors).toEqual([]);
    expect((await check(secret("not base64!"))).errors.map(field)).toEqual([
      'data.k: must be base64-encoded data, got string "not base64!"',
    ]);
  });

  it("reports at most MAX_PROBLEMS_PER_OBJECT errors for one object and counts the rest", async () => {
    const labels = Array.from({ length: 12 }, (_, i) => `    l${i}: ${i}\n`).join("");
    const { errors } = await check(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n${labels}`);
    expect(errors).toHaveLength(MAX_PROBLEMS_PER_OBJECT);
    expect(errors.at(-1)!.message).toMatch(/\(and 2 more\)$/);
  });

  it("writes field paths as kubectl does", () => {
    expect(fieldPath(["spec", "template", "spec", "containers", 0, "ports", 1, "containerPort"])).toBe(
      "spec.template.spec.containers[0].ports[1].containerPort",
    );
    expect(fieldPath(["metadata", "annotations", "example.com/key"])).toBe('metadata.annotations["example.com/key"]');
  });

  it("uses the schema shipped for the kind, and none for an unknown one", async () => {
    expect(await checkObjectTypes({ apiVersion: "apps/v1", kind: "Deployment" })).toMatchObject({
      schema: "kubernetes-models@5.1.0",
      unknownKind: false,
    });
    expect(await checkObjectTypes({ apiVersion: "apps/v1", kind: "DeploymentSpec" })).toMatchObject({ unknownKind: true, problems: [] });
    expect(await checkObjectTypes({ apiVersion: "../../x/v1", kind: "Deployment" })).toMatchObject({ unknownKind: true });
  });
});

describe("loadInputs type-checks every way of reading input", () => {
  const bad = 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - port: "80"\n';
  const root = tempTree({
    "plain/svc.yaml": bad,
    "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    "chart/values.yaml": "port: 80\n",
    "chart/templates/svc.yaml":
      "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - port: {{ .Values.port | quote }}\n",
    "kust/kustomization.yaml": "resources: [svc.yaml]\n",
    "kust/svc.yaml": bad,
  });

  it.each([
    ["a plain file", "plain", "plain/svc.yaml:6:7"],
    ["a Helm render", "chart", "chart@values.yaml:8:7"],
    ["a Kustomize build", "kust", "kust:7:5"],
  ])("%s", async (_, path, location) => {
    const { units, errors } = await loadInputs([path], { cwd: root });
    expect(errors.map((e) => [e.code, where(e)])).toEqual([["SCHEMA", location]]);
    expect(units.flatMap((u) => u.resources)).toEqual([]);
  });

  it("standard input", async () => {
    const { units, errors } = await loadInputs(["-"], { cwd: root, stdin: async () => bad });
    expect(errors.map((e) => [e.code, where(e)])).toEqual([["SCHEMA", "<stdin>:6:7"]]);
    expect(units.flatMap((u) => u.resources)).toEqual([]);
  });
});

describe("every control fixture is an object the API server would accept, except those it rejects", () => {
  const files = readdirSync(FIXTURES_DIR, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

  it("has fixtures", () => expect(files.length).toBeGreaterThan(100));

  it.each(files)("%s", async (file) => {
    const path = join(FIXTURES_DIR, file);
    const parsed = parseManifestStream(readFileSync(path, "utf8"), { file: relative(PACKAGE_ROOT, path), locateFields: true });
    const errors: InputError[] = [];
    await typeCheckParsed(parsed, errors);
    // The API server rejects these fixtures on purpose (listed with why; test/cluster proves it against the
    // real server): the schema check may or may not see the same problem offline.
    if (REJECTED_BY_API_SERVER[file.replace("/", " ")]) return;
    expect(errors.map((e) => `${e.file}:${e.line} ${e.message}`)).toEqual([]);
  });
});
