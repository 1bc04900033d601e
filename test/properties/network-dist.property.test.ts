/**
 * net-erlang-dist-lockdown's NetworkPolicy clause on random ingress rules: which rules open EPMD or a
 * distribution port (no ports, an entry without port, a range via endPort, a named port resolved
 * against the Erlang node's container ports, TCP only) and from which peers. TypeScript (through the
 * network model's peer resolver) is checked against a reference written from the Kubernetes
 * documentation and CONTROLS.md, Rego (policies/lib/net.rego) against TypeScript in one opa eval,
 * message IDs and the paths they point at (the rule's `from`, or the peer).
 */
import fc from "fast-check";
import { opaProbe } from "../helpers/opa-probe.js";
import { describe, expect, it } from "vitest";
import type { K8sObject, Resource } from "../../src/types.js";
import { refOf } from "../../src/k8s/workloads.js";
import { netErlangDistLockdown } from "../../src/validators/net-erlang-dist-lockdown.js";

let cases = 0;
const RUNS = 1000;
type Rec = Record<string, any>;

const DIST = new Set([4369, 9100, 9101, 9102, 9103, 9104, 9105]);
const NODE_LABELS = { app: "erl" };
/** Set by the StatefulSet controller on every pod it creates (never in a template). */
const POD_NAME = "statefulset.kubernetes.io/pod-name";
/** The one pod of the other StatefulSet, `tool` (one replica): its template labels plus the controller's. */
const TOOL_POD = { app: "other", [POD_NAME]: "tool-0" };
const selector = fc.oneof(
  fc.constant({ matchExpressions: [{ key: POD_NAME, operator: "Exists" }] }),
  fc.constant({ matchLabels: { [POD_NAME]: "tool-0" } }),
  fc.constant({}),
  fc.constant({ matchLabels: {} }),
  fc.constant({ matchLabels: NODE_LABELS }),
  fc.constant({ matchLabels: { app: "other" } }),
  fc.constant({ matchExpressions: [{ key: "app", operator: "In", values: ["erl"] }] }),
  fc.constant({ matchExpressions: [{ key: "app", operator: "Exists" }] }),
);
const peer = fc.oneof(
  fc.constant({}),
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: selector }),
  fc.record({ namespaceSelector: selector, podSelector: selector }),
  fc.constant({ ipBlock: { cidr: "10.0.0.0/8" } }),
);
const portEntry = fc.oneof(
  fc.record({ protocol: fc.constantFrom("TCP", "UDP", "SCTP") }, { requiredKeys: [] }),
  fc.record({ port: fc.constantFrom(80, 4369, 8080, 9100, 9106), protocol: fc.constantFrom("TCP", "UDP") }, { requiredKeys: ["port"] }),
  fc.tuple(fc.integer({ min: 1, max: 9200 }), fc.integer({ min: 0, max: 6000 })).map(([port, width]) => ({ port, endPort: port + width })),
  fc.record({ port: fc.constantFrom("epmd", "dist", "http", "nope"), protocol: fc.constantFrom("TCP", "UDP") }, { requiredKeys: ["port"] }),
);
const rule = fc.record({ from: fc.array(peer, { maxLength: 2 }), ports: fc.array(portEntry, { maxLength: 3 }) }, { requiredKeys: [] });
const containerPorts = fc.shuffledSubarray(
  [
    { name: "epmd", containerPort: 4369 },
    { name: "dist", containerPort: 9100 },
    { name: "http", containerPort: 8080 },
    { name: "dist", containerPort: 9200, protocol: "UDP" },
  ],
  { minLength: 1 },
);
type Rule = { from?: Rec[]; ports?: Rec[] };

function set(rules: Rule[], ports: Rec[], otherPods: boolean): K8sObject[] {
  const workload = (name: string, labels: Rec, env: Rec[], cports: Rec[]): K8sObject => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, namespace: "erl" },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "i", env, ports: cports }] } },
    },
  });
  return [
    workload("node", NODE_LABELS, [{ name: "RELEASE_DISTRIBUTION", value: "name" }], ports),
    ...(otherPods ? [workload("tool", { app: "other" }, [], [])] : []),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "node-headless", namespace: "erl" },
      spec: { clusterIP: "None", selector: NODE_LABELS, ports: [{ port: 4369 }] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "p", namespace: "erl" },
      spec: JSON.parse(JSON.stringify({ podSelector: { matchLabels: NODE_LABELS }, policyTypes: ["Ingress"], ingress: rules })),
    },
  ];
}

/** Reference: the message IDs of one rule (CONTROLS.md net-erlang-dist-lockdown, read with the docs' semantics). */
function refMessages(r: Rule, ports: Rec[], otherPods: boolean): string[] {
  const entries = r.ports ?? [];
  const opens =
    entries.length === 0 ||
    entries.some((e) => {
      if ((e.protocol ?? "TCP") !== "TCP") return false;
      if (e.port === undefined) return true;
      if (typeof e.port === "string")
        return ports.some((cp) => cp.name === e.port && (cp.protocol ?? "TCP") === "TCP" && DIST.has(cp.containerPort));
      return [...DIST].some((d) => e.port <= d && d <= (e.endPort ?? e.port));
    });
  if (!opens) return [];
  const peers = r.from ?? [];
  if (peers.length === 0) return ["distIngressFromAnywhere"];
  const selects = (sel: Rec, labels: Rec) =>
    Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    (sel.matchExpressions ?? []).every((x: Rec) =>
      x.operator === "Exists" ? x.key in labels : (x.values as string[]).includes(labels[x.key]),
    );
  const out = new Set<string>();
  for (const p of peers) {
    if (p.ipBlock) out.add("distIngressFromIpBlock");
    else if (p.namespaceSelector) out.add("distIngressFromNamespaceSelector");
    else if (!p.podSelector) out.add("distIngressFromAnywhere");
    else if (otherPods && selects(p.podSelector, TOOL_POD)) out.add("distIngressFromOtherPods");
  }
  return [...out];
}

const resource = (object: K8sObject, i: number): Resource => ({
  ref: refOf(object),
  object,
  source: { file: "g.yaml", line: i + 1, documentIndex: i },
});
const tsMessages = (objects: K8sObject[]) =>
  [
    ...new Set(
      netErlangDistLockdown
        .validate(objects.map(resource), {})
        .filter((v) => v.resource.kind === "NetworkPolicy")
        .map((v) => `${v.data.rule} ${v.messageId}`),
    ),
  ].sort();

/** The TypeScript findings with the path of the field each points at (the rule's `from`, or the peer). */
const tsLocated = (objects: K8sObject[]) =>
  [
    ...new Set(
      netErlangDistLockdown
        .validate(objects.map(resource), {})
        .filter((v) => v.resource.kind === "NetworkPolicy")
        .map((v) => `${v.data.rule} ${v.messageId} ${JSON.stringify(v.path)}`),
    ),
  ].sort();

const scenario = fc.record({ rules: fc.array(rule, { minLength: 1, maxLength: 3 }), ports: containerPorts, otherPods: fc.boolean() });

describe("net-erlang-dist-lockdown NetworkPolicy clause (property)", () => {
  it("TypeScript flags exactly the rules the reference flags, with the reference's message IDs", () => {
    fc.assert(
      fc.property(scenario, ({ rules, ports, otherPods }) => {
        cases++;
        const expected = rules.flatMap((r, i) => refMessages(r, ports, otherPods).map((m) => `${i} ${m}`)).sort();
        expect(tsMessages(set(rules, ports, otherPods)), JSON.stringify({ rules, ports, otherPods })).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it("Rego raises the same findings as TypeScript, at the same paths (one opa eval)", () => {
    const sets = fc.sample(scenario, { numRuns: 500, seed: 13 }).map(({ rules, ports, otherPods }) => set(rules, ports, otherPods));
    cases += sets.length;
    const rego = opaProbe<string[][]>(
      [
        "package probe",
        "import data.erlmcp.controls.net_erlang_dist_lockdown as control",
        "results := [ids | some s in input.sets; ids := found(s)]",
        'found(s) := sort({sprintf("%d %s %s", [v.details.data.rule, v.details.messageId, json.marshal(v.details.path)]) | some v in control.violation with input as {"resources": s, "parameters": {}}; v.details.resource.kind == "NetworkPolicy"}) if true',
      ],
      { sets },
      ["net-erlang-dist-lockdown/policy.rego"],
    );
    expect(rego).toEqual(sets.map(tsLocated));
    expect(rego.filter((ids) => ids.length > 0).length).toBeGreaterThan(50);
    expect(rego.filter((ids) => ids.length === 0).length).toBeGreaterThan(20);
  });

  it("reports how many cases ran", () => {
    console.log(`net-erlang-dist-lockdown properties: ${cases} cases`);
    expect(cases).toBeGreaterThanOrEqual(RUNS + 500);
  });
});
