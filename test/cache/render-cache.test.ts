import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { audit } from "../../src/audit.js";
import { helmRenderKey, kustomizeRenderKey } from "../../src/loaders/render-cache.js";
import * as render from "../../src/loaders/render.js";
import { DEFAULT_KUBE_VERSION } from "../../src/loaders/render.js";
import { CONFIGMAP, EDGE_SERVICE, tempTree } from "../helpers/tmp.js";

// Counts the Helm processes a run starts (each still runs the real helm).
vi.mock("../../src/loaders/render.js", async (original) => {
  const actual = await original<typeof render>();
  return { ...actual, renderHelm: vi.fn(actual.renderHelm) };
});

const CHART = {
  "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
  "chart/values.yaml": "type: ClusterIP\n",
  "chart/values-prod.yaml": "type: LoadBalancer\n",
  "chart/templates/svc.yaml": EDGE_SERVICE("{{ .Values.type }}"),
};
const KUSTOMIZE = {
  "base/kustomization.yaml": "resources: [cm.yaml]\n",
  "base/cm.yaml": CONFIGMAP("settings"),
  "overlay/kustomization.yaml": "resources: [../base]\npatches: [{path: patch.yaml}]\n",
  "overlay/patch.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: erlmcp}\ndata: {LOG_LEVEL: debug}\n",
};
const helm = { kubeVersion: DEFAULT_KUBE_VERSION };

describe("--cache of renders", () => {
  it("keys a Helm render by every file of the chart, the values file, the options and the label", () => {
    const root = tempTree(CHART);
    const key = () => helmRenderKey("chart", "chart/values-prod.yaml", helm, root, "chart@values-prod.yaml");
    const before = key();
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(key()).toBe(before);
    expect(helmRenderKey("chart", "chart/values-prod.yaml", { ...helm, kubeVersion: "1.30.0" }, root, "chart@values-prod.yaml")).not.toBe(
      before,
    );
    expect(helmRenderKey("chart", "chart/values-prod.yaml", { ...helm, apiVersions: ["x/v1"] }, root, "chart@values-prod.yaml")).not.toBe(
      before,
    );
    expect(helmRenderKey("chart", "chart/values.yaml", helm, root, "chart@values.yaml")).not.toBe(before);
    expect(helmRenderKey("chart", "chart/values-prod.yaml", helm, root, "chart@values-prod.yaml", "tagged")).not.toBe(before);
    writeFileSync(join(root, "chart/templates/_helpers.tpl"), "{{/* new helper */}}\n");
    const withHelper = key();
    expect(withHelper).not.toBe(before);
    writeFileSync(join(root, "chart/values-prod.yaml"), "type: NodePort\n");
    expect(key()).not.toBe(withHelper);
  });

  it("keys a Kustomize build by the overlay, its bases and the files it reads, and not a remote one", () => {
    const root = tempTree(KUSTOMIZE);
    const before = kustomizeRenderKey("overlay", root, false);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(root, "base/cm.yaml"), CONFIGMAP("other"));
    const baseChanged = kustomizeRenderKey("overlay", root, false);
    expect(baseChanged).not.toBe(before);
    writeFileSync(join(root, "overlay/patch.yaml"), KUSTOMIZE["overlay/patch.yaml"].replace("debug", "info"));
    expect(kustomizeRenderKey("overlay", root, false)).not.toBe(baseChanged);
    expect(kustomizeRenderKey("overlay", root, true)).not.toBe(kustomizeRenderKey("overlay", root, false));
    writeFileSync(join(root, "overlay/kustomization.yaml"), "resources: [../base, https://example.com/x.yaml]\n");
    expect(kustomizeRenderKey("overlay", root, false)).toBeUndefined();
  });

  it("keys a build whose resources hold URLs, and not one whose base or component is remote", () => {
    const withUrl = CONFIGMAP("settings").replace(
      "metadata:",
      "metadata:\n  annotations: {runbook: 'https://runbooks.example.com/x?ref=main'}",
    );
    const root = tempTree({ ...KUSTOMIZE, "base/cm.yaml": withUrl });
    expect(kustomizeRenderKey("overlay", root, false)).toMatch(/^[0-9a-f]{64}$/);
    for (const remote of [
      "resources: [cm.yaml, git@github.com:example/x.git]\n",
      "resources: [cm.yaml]\ncomponents: [https://example.com/c]\n",
      "resources: [cm.yaml]\nhelmCharts: [{name: x, repo: 'https://charts.example.com'}]\n",
    ]) {
      writeFileSync(join(root, "base/kustomization.yaml"), remote);
      expect(kustomizeRenderKey("overlay", root, false)).toBeUndefined();
    }
  });

  it("renders again when a template changes, and reports what an uncached run reports", async () => {
    const root = tempTree(CHART);
    const cacheDir = join(root, ".cache");
    const now = new Date("2026-11-26T00:00:00Z");
    const run = async (cached: boolean) =>
      JSON.stringify(await audit(["chart"], { cwd: root, now, config: false, ...(cached ? { cache: { dir: cacheDir } } : {}) }));
    const first = await run(true);
    expect(await run(true)).toBe(first);
    writeFileSync(join(root, "chart/templates/svc.yaml"), CHART["chart/templates/svc.yaml"].replace("port: 80", "port: 8080"));
    const after = await run(true);
    expect(after).not.toBe(first);
    expect(after).toBe(await run(false));
  });

  it("caches the tagged render that places findings in templates, as it caches the loader's render", async () => {
    const root = tempTree(CHART);
    const cacheDir = join(root, ".cache");
    const now = new Date("2026-11-26T00:00:00Z");
    const helmRuns = vi.mocked(render.renderHelm);
    const run = async (cached: boolean) => {
      helmRuns.mockClear();
      const report = await audit(["chart"], { cwd: root, now, config: false, ...(cached ? { cache: { dir: cacheDir } } : {}) });
      return { report: JSON.stringify(report), helm: helmRuns.mock.calls.length, findings: report.findings };
    };
    const uncached = await run(false);
    // One render per values file, and one tagged render per values file whose unit has a finding to place.
    const placed = uncached.findings.filter((f) => f.location?.via === "helm-template");
    expect(placed.map((f) => f.unit)).toEqual(["chart@values-prod.yaml"]);
    expect(uncached.helm).toBe(3);
    expect((await run(true)).helm).toBe(3);
    const onlyRenders = () => {
      for (const entry of readdirSync(cacheDir)) if (entry !== "render") rmSync(join(cacheDir, entry), { recursive: true, force: true });
    };
    onlyRenders();
    const fromRenders = await run(true);
    expect(fromRenders.helm).toBe(0);
    expect(fromRenders.report).toBe(uncached.report);
    // A changed template: both the render and the tagged one run again, and place the finding where it now is.
    writeFileSync(join(root, "chart/templates/svc.yaml"), `# a comment line\n${CHART["chart/templates/svc.yaml"]}`);
    onlyRenders();
    const changed = await run(true);
    expect(changed.helm).toBe(3);
    expect(changed.report).toBe((await run(false)).report);
    const line = (r: typeof changed) => r.findings.find((f) => f.location?.via === "helm-template")?.location?.line;
    expect(line(changed)).toBe(line(uncached)! + 1);
  });
});
