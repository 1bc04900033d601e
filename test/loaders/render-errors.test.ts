import { describe, expect, it } from "vitest";
import { loadInputs } from "../../src/loaders/load.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";

const SCHEMA = JSON.stringify({
  type: "object",
  properties: {
    replicaCount: { type: "integer" },
    image: { type: "object", properties: { tag: { type: "string" } }, required: ["tag"] },
  },
});

describe("errors of helm and kustomize, in the user's terms", () => {
  const root = tempTree({
    "chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
    "chart/values.schema.json": SCHEMA,
    "chart/values.yaml": "replicaCount: 1\nimage:\n  tag: '1'\n",
    "chart/values-prod.yaml": "# production\nimage:\n  repository: x\nreplicaCount: three\n",
    "chart/templates/cm.yaml": CONFIGMAP("shop"),
    "overlay/kustomization.yaml": "resources:\n  - cm.yaml\n  - ../base\npatches:\n  - path: gone-patch.yaml\n",
    "overlay/cm.yaml": CONFIGMAP("overlay"),
    "base/kustomization.yaml": "resources:\n  - cm.yaml\n",
    "base/cm.yaml": CONFIGMAP("base"),
    "failing/Chart.yaml": "apiVersion: v2\nname: failing\nversion: 1.0.0\n",
    "failing/values.yaml": "{}\n",
    "failing/templates/x.yaml": '{{ fail "replicas must be set" }}\n',
    "nested/kustomization.yaml": "resources:\n  - ../nested-base\n",
    "nested-base/kustomization.yaml": "resources:\n  - cm.yaml\n  - missing.yaml\n",
    "nested-base/cm.yaml": CONFIGMAP("nested"),
  });

  it("a values.schema.json failure keeps helm's first line and names the values file, line and key", async () => {
    const { errors } = await loadInputs(["chart"], { cwd: root, values: ["chart/values-prod.yaml"] });
    expect(errors).toHaveLength(1);
    const [e] = errors;
    expect(e).toMatchObject({ code: "RENDER_FAILED", file: "chart/values-prod.yaml", line: 4, column: 1 });
    expect(e!.message).toMatch(/^chart@values-prod\.yaml: helm template failed: values don't meet the specifications of the schema\(s\)/);
    expect(e!.message).toMatch(/shop: replicaCount: .*string.*integer.* \(chart\/values-prod\.yaml:4\)/);
    expect(e!.hint).toContain("chart/values.schema.json");
  });

  it("a missing path names the kustomization file and line, and the path once, suggesting no command", async () => {
    const { errors } = await loadInputs(["overlay"], { cwd: root });
    const [e] = errors.filter((x) => x.code === "RENDER_FAILED");
    expect(e).toMatchObject({ file: "overlay/kustomization.yaml", line: 5 });
    expect(e!.message).toBe(
      "overlay: kustomize build failed: the patch on overlay/kustomization.yaml:5 does not exist: overlay/gone-patch.yaml",
    );
    expect(e!.message.split("gone-patch.yaml")).toHaveLength(2);
    expect(e!.hint).not.toMatch(/`?kustomize build/);
  });

  it("a path missing in a base names the base's kustomization line", async () => {
    const { errors } = await loadInputs(["nested"], { cwd: root });
    const failed = errors.filter((x) => x.code === "RENDER_FAILED");
    expect(failed.map((x) => [x.file, x.line])).toContainEqual(["nested-base/kustomization.yaml", 3]);
    expect(failed.find((x) => x.file === "nested-base/kustomization.yaml" && x.message.startsWith("nested:"))?.message).toContain(
      "the resource on nested-base/kustomization.yaml:3 does not exist: nested-base/missing.yaml",
    );
  });

  it("any other failure keeps the tool's error line, and its hint runs the binary that ran, by its path", async () => {
    const { errors } = await loadInputs(["failing"], { cwd: root });
    expect(errors).toMatchObject([{ code: "RENDER_FAILED", file: "failing@values.yaml" }]);
    expect(errors[0]!.message).toMatch(/^helm failed: execution error at \(failing\/templates\/x\.yaml:1:\d+\): replicas must be set$/);
    expect(errors[0]!.hint).toMatch(/^run `\/\S+\/helm template failing /);
  });
});
