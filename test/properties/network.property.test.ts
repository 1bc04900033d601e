import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildNetworkModel, canReach } from "../../src/k8s/network-model.js";
import { labelSelectorMatches, mapSelectorMatches, type LabelSelector, type Labels } from "../../src/k8s/selectors.js";
import { refOf } from "../../src/k8s/workloads.js";
import type { K8sObject, Resource } from "../../src/types.js";

const KEYS = ["app", "tier", "role"];
const VALUES = ["x", "y", "z"];
/** The label the Deployment controller adds to every pod (any value, whatever the template says). */
const HASH = "pod-template-hash";
const SELECTOR_KEYS = [...KEYS, HASH];
const labels: fc.Arbitrary<Labels> = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 });
const selectorLabels: fc.Arbitrary<Labels> = fc.dictionary(fc.constantFrom(...SELECTOR_KEYS), fc.constantFrom(...VALUES), {
  maxKeys: 3,
});
/** The pods of a Deployment with these template labels: one per hash value a selector can tell apart. */
const deploymentPods = (template: Labels): Labels[] => [...VALUES, "fresh"].map((h) => ({ ...template, [HASH]: h }));
// Valid requirements only (invalid selectors select nothing: test/properties/selectors-evaluator.test.ts).
const requirement = fc.oneof(
  fc.record({
    key: fc.constantFrom(...SELECTOR_KEYS),
    operator: fc.constantFrom("In" as const, "NotIn" as const),
    values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ key: fc.constantFrom(...SELECTOR_KEYS), operator: fc.constantFrom("Exists" as const, "DoesNotExist" as const) }),
);
const selector: fc.Arbitrary<LabelSelector> = fc.record(
  { matchLabels: selectorLabels, matchExpressions: fc.array(requirement, { maxLength: 3 }) },
  { requiredKeys: [] },
);

/** Reference: the set-based semantics of k8s.io/apimachinery labels.Selector, written as requirement lists. */
function reference(sel: LabelSelector | null | undefined, l: Labels): boolean {
  if (sel == null) return false;
  const reqs = [
    ...Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "In", values: [v] })),
    ...(sel.matchExpressions ?? []),
  ];
  return reqs.every((r) => {
    const present = r.key in l;
    if (r.operator === "Exists") return present;
    if (r.operator === "DoesNotExist") return !present;
    const member = present && (r.values ?? []).some((v) => v === l[r.key]);
    return r.operator === "In" ? member : !member;
  });
}

describe("label selectors (property)", () => {
  it("match exactly as the reference implementation", () => {
    fc.assert(
      fc.property(fc.option(selector, { nil: undefined }), labels, (s, l) => {
        expect(labelSelectorMatches(s, l)).toBe(reference(s, l));
      }),
      { numRuns: 2000 },
    );
  });

  it("an empty selector matches everything; adding a requirement never widens the match", () => {
    fc.assert(
      fc.property(selector, requirement, labels, (s, extra, l) => {
        expect(labelSelectorMatches({}, l)).toBe(true);
        const narrower = { ...s, matchExpressions: [...(s.matchExpressions ?? []), extra] };
        if (labelSelectorMatches(narrower, l)) expect(labelSelectorMatches(s, l)).toBe(true);
      }),
    );
  });

  it("a non-empty map selector is its matchLabels selector; an empty one selects nothing", () => {
    fc.assert(
      fc.property(labels, labels, (m, l) => {
        expect(mapSelectorMatches(m, l)).toBe(Object.keys(m).length > 0 && labelSelectorMatches({ matchLabels: m }, l));
      }),
    );
  });
});

const NAMESPACES = ["a", "b"];
const PORTS = [80, 443, 4369];
const resource = (object: K8sObject, i: number): Resource => ({
  ref: refOf(object),
  object,
  source: { file: "gen.yaml", line: i + 1, documentIndex: i },
});

const workload = (i: number) =>
  fc.record({ ns: fc.constantFrom(...NAMESPACES), labels, port: fc.constantFrom(...PORTS) }).map(({ ns, labels: l, port }): K8sObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `w${i}`, namespace: ns },
    spec: {
      selector: { matchLabels: l },
      template: {
        metadata: { labels: l },
        spec: { containers: [{ name: "c", image: "i", ports: [{ containerPort: port, name: `p${port}` }] }] },
      },
    },
  }));
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: selector }, { requiredKeys: [] }),
  fc.record({ namespaceSelector: selector, podSelector: selector }),
  fc.constant({ ipBlock: { cidr: "10.0.0.0/8" } }),
);
const rule = fc.record(
  {
    peers: fc.array(peer, { maxLength: 2 }),
    ports: fc.array(fc.record({ port: fc.constantFrom(...PORTS), protocol: fc.constant("TCP") }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const policy = (i: number) =>
  fc
    .record({
      ns: fc.constantFrom(...NAMESPACES),
      podSelector: selector,
      types: fc.subarray(["Ingress", "Egress"]),
      ingress: fc.array(rule, { maxLength: 2 }),
      egress: fc.array(rule, { maxLength: 2 }),
    })
    .map(({ ns, podSelector, types, ingress, egress }): K8sObject => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `p${i}`, namespace: ns },
      spec: {
        podSelector,
        policyTypes: types,
        ingress: ingress.map((r) => ({ ...(r.peers ? { from: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) })),
        egress: egress.map((r) => ({ ...(r.peers ? { to: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) })),
      },
    }));
const namespaces: K8sObject[] = NAMESPACES.map((ns) => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: ns, labels: { "kubernetes.io/metadata.name": ns, tier: ns === "a" ? "x" : "y" } },
}));
const cluster = fc.tuple(
  fc.tuple(workload(0), workload(1), workload(2)),
  fc.array(fc.integer(), { maxLength: 3 }).chain((ids) => fc.tuple(...ids.map((_, i) => policy(i)))),
);

const model = (objects: K8sObject[]) => buildNetworkModel(objects.map(resource));
const ids = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === "Deployment").map((o) => `${o.metadata!.namespace}/Deployment/${o.metadata!.name}`);

describe("NetworkPolicy model (property)", () => {
  it("adding a default-deny policy never adds an allowed flow", () => {
    fc.assert(
      fc.property(cluster, fc.constantFrom(...NAMESPACES), ([workloads, policies], ns) => {
        const before = [...namespaces, ...workloads, ...policies];
        const deny: K8sObject = {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "default-deny", namespace: ns },
          spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        };
        const m0 = model(before);
        const m1 = model([...before, deny]);
        for (const from of ids(before))
          for (const to of ids(before))
            for (const port of [...PORTS, 9999]) {
              if (canReach(m1, from, to, "TCP", port)) expect(canReach(m0, from, to, "TCP", port), `${from} -> ${to}:${port}`).toBe(true);
            }
        // And in that namespace nothing is reachable any more except through other allowing policies' rules.
        for (const w of m1.workloads.filter((x) => x.namespace === ns)) expect(w.ingress.isolated && w.egress.isolated).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("a workload is isolated exactly when a policy selects all its pods; otherwise reachable from any workload not isolated for egress, on every port", () => {
    fc.assert(
      fc.property(cluster, ([workloads, policies]) => {
        const objects = [...namespaces, ...workloads, ...policies];
        const m = model(objects);
        for (const to of m.workloads) {
          const selected = policies.some(
            (p) =>
              p.metadata!.namespace === to.namespace &&
              // policyTypes [] is defaulted by the API server: Ingress always.
              ((p.spec as { policyTypes: string[] }).policyTypes.includes("Ingress") ||
                (p.spec as { policyTypes: string[] }).policyTypes.length === 0) &&
              deploymentPods(to.podLabels).every((pod) => reference((p.spec as { podSelector: LabelSelector }).podSelector, pod)),
          );
          expect(to.ingress.isolated).toBe(selected);
          if (selected) continue;
          for (const from of m.workloads.filter((w) => !w.egress.isolated))
            for (const port of [...PORTS, 9999]) expect(canReach(m, from.id, to.id, "TCP", port)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
