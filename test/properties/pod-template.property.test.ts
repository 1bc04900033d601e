/**
 * One definition of "carries a pod template" (policies/_kinds.yaml), two implementations: TypeScript
 * (src/k8s/workloads.ts) and Rego (policies/lib/k8s.rego, run with the real opa). Both must find the
 * same pod template, workload status and containers on generated objects, hostile shapes included.
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KINDS } from "../../src/catalog/kinds.js";
import { allContainers, isWorkload, podTemplate } from "../../src/k8s/workloads.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { findTool } from "../../src/tools/find.js";
import type { K8sObject } from "../../src/types.js";

const container = fc.record(
  {
    name: fc.constantFrom("app", "sidecar"),
    image: fc.constant("example/app:1.0"),
    securityContext: fc.record({ privileged: fc.boolean() }),
  },
  { requiredKeys: ["name"] },
);
const containerList = fc.oneof(
  fc.array(container, { maxLength: 2 }),
  fc.array(fc.oneof(container, fc.constant("x"), fc.constant(null), fc.array(container, { maxLength: 1 })), { maxLength: 2 }),
  fc.constantFrom("x", null, 3, {}),
  fc.dictionary(fc.constantFrom("a", "b"), container, { maxKeys: 1 }),
);
const podSpec = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ containers: containerList, initContainers: containerList, hostNetwork: fc.boolean() }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: fc.constantFrom("spec", null, []) },
);
const template = fc.oneof(
  { weight: 4, arbitrary: fc.record({ metadata: fc.record({ labels: fc.constant({ app: "x" }) }), spec: podSpec }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.constantFrom("template", null, [], 7) },
);
const spec = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        template,
        jobTemplate: fc.record({ spec: fc.record({ template }, { requiredKeys: [] }) }, { requiredKeys: [] }),
        jobTargetRef: fc.record({ template }, { requiredKeys: [] }),
        podTemplate: template,
        containers: containerList,
        replicas: fc.nat(3),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom("spec", null, [1]) },
);
const kind = fc.oneof(
  fc.constantFrom(...KINDS.podTemplates.keys()),
  fc.constantFrom("FooRunner", "CloneSet", "ScaledJob", "Service", "ConfigMap", "Namespace"),
  fc.constant(undefined),
  fc.constant(42),
);
const object: fc.Arbitrary<K8sObject> = fc
  .record(
    { apiVersion: fc.constant("example.com/v1"), kind, metadata: fc.constant({ name: "o", namespace: "n" }), spec, template },
    { requiredKeys: ["apiVersion", "metadata"] },
  )
  .map((o) => o as K8sObject);

/** JSON with sorted keys (opa sorts them), undefined members dropped as in the JSON opa reads. */
function canonical(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return value === undefined ? "undefined" : JSON.stringify(sorted(JSON.parse(JSON.stringify(value))));
}

interface RegoView {
  templates: Array<[number, unknown]>;
  workloads: number[];
  containers: Array<[number, unknown[]]>;
}

/** The Rego view of every object in one opa run: pod_template (index → value where defined), is_workload, all_containers. */
function regoView(objects: readonly K8sObject[]): RegoView {
  const query = [
    "x := {",
    '"templates": [[i, t] | some i, o in input; t := data.lib.k8s.pod_template(o)],',
    '"workloads": [i | some i, o in input; data.lib.k8s.is_workload(o)],',
    '"containers": [[i, cs] | some i, o in input; cs := data.lib.k8s.all_containers(o)]',
    "}",
  ].join(" ");
  const run = spawnSync(findTool("opa"), ["eval", "--format", "json", "--stdin-input", "--data", "policies/lib", query], {
    cwd: PACKAGE_ROOT,
    input: JSON.stringify(objects),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`opa eval failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as { result: Array<{ bindings: { x: RegoView } }> };
  return out.result[0]!.bindings.x;
}

describe("pod templates (property): TypeScript and Rego read one definition", () => {
  const objects = fc.sample(object, { numRuns: 1500, seed: 12 });
  const rego = regoView(objects);
  const regoTemplates = new Map(rego.templates);
  const regoContainers = new Map(rego.containers);

  it("find the same pod template on every object (or none on both)", () => {
    const differ = objects.flatMap((o, i) => {
      const ts = podTemplate(o);
      return canonical(ts) === canonical(regoTemplates.get(i)) ? [] : [{ object: o, ts, rego: regoTemplates.get(i) }];
    });
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("agree on which objects are workloads", () => {
    const ts = objects.flatMap((o, i) => (isWorkload(o) ? [i] : []));
    expect(ts).toEqual(rego.workloads);
  });

  it("list the same containers, each with its field and its path", () => {
    const differ = objects.flatMap((o, i) => {
      const ts = allContainers(o).map(({ field, container: c, path }) => ({ ...c, __field: field, __path: path }));
      return canonical(ts) === canonical(regoContainers.get(i) ?? []) ? [] : [{ object: o, ts, rego: regoContainers.get(i) }];
    });
    expect(differ.slice(0, 3)).toEqual([]);
  });

  it("generate every case: known kinds, custom resources with and without a pod template, and non-workloads", () => {
    const custom = objects.filter((o) => o.kind === "FooRunner");
    expect(custom.some(isWorkload)).toBe(true);
    expect(custom.some((o) => !isWorkload(o))).toBe(true);
    expect(objects.some((o) => o.kind === "PodTemplate" && allContainers(o).length > 0)).toBe(true);
    expect(objects.some((o) => o.kind === "Service" && !isWorkload(o))).toBe(true);
  });
});
