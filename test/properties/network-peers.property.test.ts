/**
 * The NetworkPolicy peer/port model (src/k8s/network-model.ts canReach) and net-no-open-ingress against a
 * reference written from the Kubernetes documentation (concepts/services-networking/network-policies):
 * - a rule allows a connection when some peer matches the source AND some ports entry matches the port;
 * - `from` missing or `[]` matches every source; a peer `{}` matches every source;
 * - `podSelector` alone: pods of the policy's namespace; `namespaceSelector` (with an optional
 *   `podSelector`): pods of the namespaces it selects; `ipBlock`: never a pod (pod IPs are not cluster-stable);
 * - `ports` missing or `[]` matches every port; an entry's protocol defaults to TCP; an entry without `port`
 *   matches every port of its protocol; `endPort` makes `port..endPort`; a named port matches the
 *   target container port of that name and protocol;
 * - label selectors are the set-based requirements of apimachinery (matchLabels k=v is `k In (v)`);
 * - a Deployment's pods carry `pod-template-hash` (any value, whatever the template says) besides the
 *   template's labels: a peer admits a source when it selects some of its pods.
 */
import fc from "fast-check";
import { opaProbe } from "../helpers/opa-probe.js";
import { describe, expect, it } from "vitest";
import { buildNetworkModel, canReach } from "../../src/k8s/network-model.js";
import { refOf } from "../../src/k8s/workloads.js";
import { netNoOpenIngress } from "../../src/validators/net-no-open-ingress.js";
import type { K8sObject, Resource } from "../../src/types.js";

let cases = 0;
const RUNS = 1500;

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const KEYS = ["app", "tier"];
const VALUES = ["x", "y"];
/** The label the Deployment controller adds to every pod; selectors may name it, templates never do. */
const HASH = "pod-template-hash";
const SELECTOR_KEYS = [...KEYS, HASH];
const NAMESPACES: Record<string, Labels> = {
  a: { "kubernetes.io/metadata.name": "a", tier: "x" },
  b: { "kubernetes.io/metadata.name": "b", tier: "y" },
};
const PORT_NAMES = ["epmd", "dist", "http"];
const PROBE_PORTS = [53, 80, 4369, 9100, 9101];

/** Reference selector: every requirement holds (matchLabels k=v is `k In (v)`). */
function refSelects(sel: Selector, labels: Labels): boolean {
  const reqs = [
    ...Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "In", values: [v] })),
    ...(sel.matchExpressions ?? []),
  ];
  return reqs.every((r) => {
    const has = r.key in labels;
    if (r.operator === "Exists") return has;
    if (r.operator === "DoesNotExist") return !has;
    const member = has && (r.values ?? []).includes(labels[r.key]!);
    return r.operator === "In" ? member : !member;
  });
}

const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
const selectorLabels = fc.dictionary(fc.constantFrom(...SELECTOR_KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
/** The pods of a Deployment with these template labels: one per hash value a selector can tell apart. */
const deploymentPods = (template: Labels): Labels[] => [...VALUES, "fresh"].map((h) => ({ ...template, [HASH]: h }));
const selector: fc.Arbitrary<Selector> = fc.oneof(
  fc.constant({}),
  fc.constant({ matchLabels: {} }),
  fc.constant<Selector>({ matchLabels: {}, matchExpressions: [] }),
  fc.record(
    {
      matchLabels: selectorLabels,
      matchExpressions: fc.array(
        // Valid requirements only (values for In/NotIn, none for Exists/DoesNotExist): the API server rejects the others.
        fc.oneof(
          fc.record({
            key: fc.constantFrom(...SELECTOR_KEYS),
            operator: fc.constantFrom("In", "NotIn"),
            values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }),
          }),
          fc.record({ key: fc.constantFrom(...SELECTOR_KEYS), operator: fc.constantFrom("Exists", "DoesNotExist") }),
        ),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  ),
);
const CIDRS = ["0.0.0.0/0", "10.1.2.3/0", "::/0", "2001:db8::/0", "10.0.0.0/8", "2001:db8::/32"];
const peer = fc.oneof(
  fc.constant({}),
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: selector }),
  fc.record({ namespaceSelector: selector, podSelector: selector }),
  fc.record({ ipBlock: fc.record({ cidr: fc.constantFrom(...CIDRS) }) }),
);
const portEntry = fc.oneof(
  fc.record({ protocol: fc.constantFrom("TCP", "UDP") }, { requiredKeys: [] }),
  fc.record({ port: fc.constantFrom(...PROBE_PORTS), protocol: fc.constantFrom("TCP", "UDP") }, { requiredKeys: ["port"] }),
  fc
    .tuple(fc.integer({ min: 1, max: 9200 }), fc.integer({ min: 0, max: 6000 }))
    .map(([port, width]) => ({ port, endPort: Math.min(65535, port + width) })),
  fc.record({ port: fc.constantFrom(...PORT_NAMES, "nope"), protocol: fc.constantFrom("TCP", "UDP") }, { requiredKeys: ["port"] }),
);
/** `from`/`ports` absent (undefined), `[]`, or a list. */
const rule = fc.record({
  from: fc.option(fc.array(peer, { maxLength: 3 }), { nil: undefined }),
  ports: fc.option(fc.array(portEntry, { maxLength: 3 }), { nil: undefined }),
});
type Rule = { from?: Record<string, any>[]; ports?: Record<string, any>[] };

const containerPorts = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom(...PORT_NAMES),
    containerPort: fc.constantFrom(...PROBE_PORTS),
    protocol: fc.constantFrom("TCP", "UDP"),
  }),
  { selector: (p) => p.name, maxLength: 3 },
);

function deployment(name: string, ns: string, podLabels: Labels, ports: unknown[]): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: podLabels },
      template: { metadata: { labels: podLabels }, spec: { containers: [{ name: "c", image: "i", ports }] } },
    },
  };
}

const resource = (object: K8sObject, i: number): Resource => ({
  ref: refOf(object),
  object,
  source: { file: "gen.yaml", line: i + 1, documentIndex: i },
});

/** Reference: does one ingress rule of a policy in namespace `policyNs` admit `src` to `port`/`protocol` of the target? */
function refAdmits(
  r: Rule,
  policyNs: string,
  src: { ns: string; pods: Labels[] },
  target: { ports: any[] },
  protocol: string,
  port: number,
) {
  const peers = r.from ?? [];
  const peerOk =
    peers.length === 0 ||
    peers.some((p) => {
      if (p.ipBlock) return false;
      if (!p.namespaceSelector && !p.podSelector) return true;
      if (p.namespaceSelector)
        return (
          refSelects(p.namespaceSelector, NAMESPACES[src.ns]!) && (!p.podSelector || src.pods.some((l) => refSelects(p.podSelector, l)))
        );
      return src.ns === policyNs && src.pods.some((l) => refSelects(p.podSelector, l));
    });
  const entries = r.ports ?? [];
  const portOk =
    entries.length === 0 ||
    entries.some((e) => {
      if ((e.protocol ?? "TCP") !== protocol) return false;
      if (e.port === undefined) return true;
      if (typeof e.port === "number") return e.endPort === undefined ? e.port === port : e.port <= port && port <= e.endPort;
      return target.ports.some((cp) => cp.name === e.port && cp.protocol === protocol && cp.containerPort === port);
    });
  return peerOk && portOk;
}

/** Reference for net-no-open-ingress: the rule admits every source (every pod of every namespace, or a whole IP family). */
function refOpen(r: Rule): boolean {
  const peers = r.from ?? [];
  return (
    peers.length === 0 ||
    peers.some(
      (p) =>
        (!p.ipBlock && !p.namespaceSelector && !p.podSelector) ||
        (p.ipBlock && String(p.ipBlock.cidr).endsWith("/0")) ||
        // Every namespace: the selectors match a new namespace (only its name label, a name nothing lists) and a new, unlabelled pod.
        (p.namespaceSelector &&
          refSelects(p.namespaceSelector, { "kubernetes.io/metadata.name": "a-new-namespace" }) &&
          (!p.podSelector || refSelects(p.podSelector, {}))),
    )
  );
}

describe("NetworkPolicy peers and ports (property, reference from the Kubernetes docs)", () => {
  it("canReach admits exactly what some ingress rule admits, for every source, protocol and port", () => {
    const scenario = fc.record({
      targetLabels: labels,
      targetPorts: containerPorts,
      sources: fc.array(fc.record({ ns: fc.constantFrom("a", "b"), labels }), { minLength: 1, maxLength: 3 }),
      rules: fc.array(rule, { maxLength: 2 }),
    });
    fc.assert(
      fc.property(scenario, ({ targetLabels, targetPorts, sources, rules }) => {
        const target = deployment("target", "a", { ...targetLabels, role: "target" }, targetPorts);
        const srcObjects = sources.map((s, i) => deployment(`s${i}`, s.ns, s.labels, []));
        const policy: K8sObject = {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "p", namespace: "a" },
          spec: { podSelector: { matchLabels: { role: "target" } }, policyTypes: ["Ingress"], ingress: rules },
        };
        const namespaces = Object.entries(NAMESPACES).map(([name, l]): K8sObject => ({
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name, labels: l },
        }));
        const model = buildNetworkModel([...namespaces, target, ...srcObjects, policy].map(resource));
        sources.forEach((s, i) => {
          for (const protocol of ["TCP", "UDP"])
            for (const port of PROBE_PORTS) {
              cases++;
              const expected = rules.some((r) =>
                refAdmits(r, "a", { ns: s.ns, pods: deploymentPods(s.labels) }, { ports: targetPorts }, protocol, port),
              );
              expect(canReach(model, `${s.ns}/Deployment/s${i}`, "a/Deployment/target", protocol, port), `s${i} ${protocol}/${port}`).toBe(
                expected,
              );
            }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("net-no-open-ingress flags a rule exactly when it admits every source, however it is written", () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 3 }), (rules) => {
        cases++;
        const policy: K8sObject = {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "p", namespace: "a" },
          spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: rules },
        };
        const flagged = new Set(netNoOpenIngress.validate(policy, {}).map((v) => v.data.rule));
        rules.forEach((r, i) => expect(flagged.has(i), JSON.stringify(r)).toBe(refOpen(r)));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("the Rego policy of net-no-open-ingress flags the same rules with the same message IDs, at the same paths (one opa eval)", () => {
    const policies = fc.sample(fc.array(rule, { minLength: 1, maxLength: 3 }), { numRuns: 600, seed: 13 }).map((rules): K8sObject => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "p", namespace: "a" },
      // JSON has no undefined: drop absent fields as the loader does.
      spec: JSON.parse(JSON.stringify({ podSelector: {}, policyTypes: ["Ingress"], ingress: rules })),
    }));
    cases += policies.length;
    const rego = opaProbe<string[][]>(
      [
        "package probe",
        "import data.erlmcp.controls.net_no_open_ingress as control",
        "results := [ids | some np in input.policies; ids := found(np)]",
        'found(np) := sort({sprintf("%d %s %s", [v.details.data.rule, v.details.messageId, json.marshal(v.details.path)]) | some v in control.violation}) if true',
      ].map((line) =>
        line.replace("some v in control.violation}", 'some v in control.violation with input as {"review": {"object": np}}}'),
      ),
      { policies },
      ["net-no-open-ingress/policy.rego"],
    );
    const typescript = policies.map((np) =>
      [...new Set(netNoOpenIngress.validate(np, {}).map((v) => `${v.data.rule} ${v.messageId} ${JSON.stringify(v.path)}`))].sort(),
    );
    expect(rego).toEqual(typescript);
    expect(rego.filter((ids) => ids.length > 0).length).toBeGreaterThan(100);
  });

  it("reports how many cases ran", () => {
    console.log(`network peer/port properties: ${cases} cases`);
    expect(cases).toBeGreaterThanOrEqual(RUNS * 3 + 600);
  });
});
