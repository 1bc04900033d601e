import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { AdmissionEvaluator } from "../../src/admission/evaluator.js";
import { loadCatalog } from "../../src/catalog/load.js";
import type { K8sObject } from "../../src/types.js";
import { readFixtures, tupleKey } from "../fixture-files.js";

const controls = loadCatalog().filter((c) => c.scope === "object");
const cases = controls.flatMap((c) => readFixtures(c.id).map((f) => ({ control: c, fixture: f, name: `${c.id} ${f.file}` })));
const now = new Date("2026-01-01T00:00:00Z");

describe("at admission, every object-scope fixture gives the verdict it specifies (same as the CLI)", () => {
  let evaluator: AdmissionEvaluator;
  beforeAll(async () => {
    evaluator = await AdmissionEvaluator.load({ config: {}, waivers: [], profile: "production" });
  });

  it.each(cases)("$name", ({ control, fixture }) => {
    evaluator.configure({ config: { controls: { [control.id]: { params: fixture.params } } }, waivers: [], profile: fixture.profile });
    const objects = parseAllDocuments(fixture.text)
      .map((d) => d.toJS() as K8sObject)
      .filter((o) => o && typeof o === "object");
    const found = objects
      .flatMap((o) => evaluator.evaluate(o, now))
      .filter((f) => f.controlId === control.id)
      .map((f) => {
        expect(f.status).toBe("fail");
        return tupleKey({ kind: f.resource.kind, namespace: f.resource.namespace, name: f.resource.name, messageId: f.messageId });
      });
    expect([...new Set(found)].sort()).toEqual([...new Set(fixture.expect.map(tupleKey))].sort());
  });
});
