import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import type { K8sObject, Resource } from "../../src/types.js";
import { formatPath } from "../../src/k8s/field-path.js";
import { refOf } from "../../src/k8s/workloads.js";
import { resHpaConsistent } from "../../src/validators/res-hpa-consistent.js";

const id = "res-hpa-consistent";
const dir = join("fixtures", id);
const control = parse(readFileSync(join("policies", id, "control.yaml"), "utf8"));

describe(id, () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    it(file, () => {
      const text = readFileSync(join(dir, file), "utf8");
      const expected = [...text.matchAll(/^# expect: (\S+) (\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
      const profile = /^# profile: (\S+)/m.exec(text)?.[1] ?? "production";
      const params = { ...control.params?.defaults, ...control.profiles?.[profile]?.params };
      const resources: Resource[] = parseAllDocuments(text)
        .map((doc) => doc.toJS() as K8sObject)
        .filter(Boolean)
        .map((object, documentIndex) => ({ ref: refOf(object), object, source: { file, line: 1, documentIndex } }));
      const got = resHpaConsistent
        .validate(resources, params)
        .map((v) => `${v.resource.kind}/${v.resource.namespace}/${v.resource.name} ${v.messageId}`);
      expect([...new Set(got)].sort()).toEqual([...new Set(expected)].sort());
      if (file.startsWith("fail.")) expect(got.length).toBeGreaterThan(0);
    });
  }

  it("reads the violation data the messages need", () => {
    const text = readFileSync(join(dir, "fail.min-below-pdb-percentage.yaml"), "utf8");
    const resources = parseAllDocuments(text)
      .map((doc) => doc.toJS() as K8sObject)
      .map((object, documentIndex) => ({ ref: refOf(object), object, source: { file: "f", line: 1, documentIndex } }));
    expect(resHpaConsistent.validate(resources, { minQuorum: 3 })).toEqual([
      {
        messageId: "minBelowPdb",
        data: { min: 3, pdb: "erlmcp-gateway", minAvailable: 3 },
        resource: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespace: "erlmcp", name: "erlmcp-gateway" },
        path: ["spec", "minReplicas"],
      },
    ]);
  });

  it("points at the HPA field to change: the bound, the target, or the metric that needs a request", () => {
    const deployment = (container: Record<string, unknown>): K8sObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "erlmcp" },
      spec: { replicas: 2, template: { metadata: { labels: { app: "web" } }, spec: { containers: [container] } } },
    });
    const hpa = (spec: Record<string, unknown>): K8sObject => ({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "h", namespace: "erlmcp" },
      spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, minReplicas: 3, maxReplicas: 5, ...spec },
    });
    const located = (objects: K8sObject[]) =>
      resHpaConsistent
        .validate(
          objects.map((object, documentIndex) => ({ ref: refOf(object), object, source: { file: "f", line: 1, documentIndex } })),
          { minQuorum: 3 },
        )
        .map((v) => `${v.messageId} @ ${formatPath(v.path ?? [])}`)
        .sort();
    const metrics = [
      { type: "Resource", resource: { name: "cpu" } },
      { type: "Resource", resource: { name: "memory" } },
    ];
    expect(located([deployment({ name: "app", resources: { requests: { cpu: "1" } } }), hpa({ metrics })])).toEqual([
      "metricWithoutRequest @ spec.metrics[1]",
    ]);
    expect(located([hpa({ maxReplicas: 3 })])).toEqual(["maxNotAboveMin @ spec.maxReplicas", "targetMissing @ spec.scaleTargetRef"]);
    const v1 = {
      ...hpa({}),
      apiVersion: "autoscaling/v1",
      spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, minReplicas: 3, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
    };
    expect(located([deployment({ name: "app" }), v1])).toEqual(["metricWithoutRequest @ spec.targetCPUUtilizationPercentage"]);
  });
});
