import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import type { K8sObject, Resource } from "../../src/types.js";
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
      },
    ]);
  });
});
