/**
 * Set-scope controls on a set built to be pathological for a quadratic (or worse) evaluation: one
 * namespace (istio-injection=enabled, mesh-wide STRICT mTLS) with 200 workloads sharing their labels
 * (5 of them with a sidecar), as many Services each selecting all of them, 80 ServiceMonitors selecting
 * every Service, an Ingress, a LoadBalancer Service, and a NetworkPolicy, a PodDisruptionBudget and an
 * HPA per workload. Before the controls' lookups were indexed (by namespace, distinct selector, pod
 * label, workload), net-mesh-edge-coherent (Rego) enumerated every monitor × Service × workload and
 * took well over the 60 s test timeout on this set; each control must now complete within it, with
 * the same findings in both engines.
 */
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import type { Control } from "../../src/catalog/types.js";
import { resolveParams } from "../../src/config/profiles.js";
import { RegoEngine } from "../../src/engines/rego.js";
import { TypeScriptEngine } from "../../src/engines/typescript.js";
import { loadInputs } from "../../src/loaders/load.js";
import type { AuditUnit, Violation } from "../../src/types.js";
import { tempTree } from "../helpers/tmp.js";

const WORKLOADS = 200;
const MONITORS = 80;
const MESHED = 5;
const NS = "mesh";
const LABELS = { "app.kubernetes.io/name": "erlmcp", "app.kubernetes.io/instance": "erlmcp" };

function workload(i: number): object {
  // Only the first MESHED workloads get a sidecar: every client still reaches all of them.
  const labels = { ...LABELS, app: `w${i}`, ...(i < MESHED ? {} : { "sidecar.istio.io/inject": "false" }) };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `w${i}`, namespace: NS, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "app",
              image: "registry.example/app@sha256:" + "a".repeat(64),
              ports: [
                { name: "http", containerPort: 8080 },
                { name: "metrics", containerPort: 9100 },
              ],
              resources: { requests: { cpu: "100m", memory: "64Mi" } },
            },
          ],
        },
      },
    },
  };
}

function objectsFor(i: number): object[] {
  return [
    workload(i),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: `s${i}`, namespace: NS, labels: LABELS },
      spec: {
        selector: LABELS,
        ports: [
          { name: "http", port: 80, targetPort: "http" },
          { name: "metrics", port: 9100, targetPort: "metrics" },
        ],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `np${i}`, namespace: NS },
      spec: { podSelector: { matchLabels: { app: `w${i}` } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: `pdb${i}`, namespace: NS },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: `w${i}` } } },
    },
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: `hpa${i}`, namespace: NS },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: `w${i}` }, minReplicas: 2, maxReplicas: 4 },
    },
  ];
}

const SHARED: object[] = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: NS, labels: { "istio-injection": "enabled" } } },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } },
  {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name: "default", namespace: "istio-system" },
    spec: { mtls: { mode: "STRICT" } },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "edge", namespace: NS },
    spec: { type: "LoadBalancer", selector: { app: "w0" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
  },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "web", namespace: NS },
    spec: {
      ingressClassName: "nginx",
      rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "s0", port: { name: "http" } } } }] } }],
    },
  },
  ...Array.from({ length: MONITORS }, (_, m) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: `monitor${m}`, namespace: NS },
    spec: { selector: { matchLabels: LABELS }, endpoints: [{ port: "metrics", scheme: "http" }] },
  })),
];

const objects = [...SHARED, ...Array.from({ length: WORKLOADS }, (_, i) => objectsFor(i)).flat()];
const root = tempTree({ "set.yaml": objects.map((o) => stringify(o)).join("---\n") });
const loaded = await loadInputs([root], { cwd: root });
const unit = { ...(loaded.units[0] as AuditUnit), profile: "production" } as AuditUnit;

const setControls = loadCatalog().filter((c) => c.scope === "set");
const context = { paramsFor: (c: Control) => resolveParams(c, "production") };
// Object keys sorted: Rego returns an object's keys in order, TypeScript in insertion order.
const canonical = (x: unknown): unknown =>
  Array.isArray(x)
    ? x.map(canonical)
    : x !== null && typeof x === "object"
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, canonical((x as Record<string, unknown>)[k])]),
        )
      : x;
const key = (v: Violation) => JSON.stringify(canonical([v.resource.kind, v.resource.namespace, v.resource.name, v.messageId, v.data]));
const keys = (vs: readonly Violation[]) => [...new Set(vs.map(key))].sort();

const typescript = new TypeScriptEngine();
const bothEngines = setControls.filter((c) => new RegoEngine().implements(c) && typescript.implements(c));

describe("set-scope controls on many workloads that every client reaches through every Service", () => {
  it("loads the whole set as one unit", () => {
    expect(loaded.errors).toEqual([]);
    expect(unit.resources.length).toBe(SHARED.length + 5 * WORKLOADS);
  });

  it.each(bothEngines.map((c) => [c.id, c] as const))(
    "%s completes with the same findings in both engines",
    async (_id, control) => {
      const rego = new RegoEngine();
      await rego.prepare([control]);
      const [ts] = await typescript.evaluate(unit, [control], context);
      const [re] = await rego.evaluate(unit, [control], context);
      expect(ts?.errors).toEqual([]);
      expect(re?.errors).toEqual([]);
      expect(keys(re?.violations ?? [])).toEqual(keys(ts?.violations ?? []));
    },
    60_000,
  );

  it("finds each STRICT port a client outside the mesh reaches, once per workload and client", async () => {
    const control = setControls.find((c) => c.id === "net-mesh-edge-coherent") as Control;
    const rego = new RegoEngine();
    await rego.prepare([control]);
    const [verdict] = await rego.evaluate(unit, [control], context);
    const count = (messageId: string) => verdict?.violations.filter((v) => v.messageId === messageId).length;
    expect(count("strictBehindExternalService")).toBe(1);
    expect(count("strictBehindIngress")).toBe(MESHED);
    expect(count("strictScrapedWithoutMeshTls")).toBe(MONITORS * MESHED);
  }, 60_000);
});

/**
 * The shape of every fixture gathered into one folder: COPIES StatefulSets named `erlmcp` in one
 * namespace (each a little different, as copies from many files are), beside NetworkPolicies whose
 * rule opens EPMD/distribution to 256 `/8` ipBlocks (and one that also lets in another workload's pods)
 * and Services and an Ingress exposing distribution. net-erlang-dist-lockdown used to report each ipBlock
 * of a rule once per copy (the TypeScript validator made COPIES × 256 violations per policy, which merge
 * into one finding) and its Rego resolved every peer and rendered every violation per copy: it did not
 * finish in minutes. A rule's problem is now found once per workload, policy and kind of peer.
 */
const COPIES = 200;
const BLOCK_POLICIES = 4;
const DIST_NS = "dist";
const NODE_LABELS = { "app.kubernetes.io/name": "erlmcp", "app.kubernetes.io/instance": "erlmcp" };
const BLOCKS = Array.from({ length: 256 }, (_, i) => ({ ipBlock: { cidr: `${i}.0.0.0/8` } }));

function distNode(i: number): object {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "erlmcp", namespace: DIST_NS, labels: NODE_LABELS, annotations: { copy: String(i) } },
    spec: {
      serviceName: "erlmcp-headless",
      replicas: 3,
      selector: { matchLabels: NODE_LABELS },
      template: {
        metadata: { labels: NODE_LABELS },
        spec: {
          containers: [
            {
              name: "erlmcp",
              image: "ghcr.io/erlmcp/erlmcp@sha256:" + "0".repeat(64),
              ports: [
                { name: "epmd", containerPort: 4369 },
                { name: "dist", containerPort: 9100 + (i % 4) },
              ],
              env: [{ name: "ERL_FLAGS", value: `-kernel inet_dist_listen_min ${9100 + (i % 4)} inet_dist_listen_max 9105` }],
            },
          ],
        },
      },
    },
  };
}

const DIST_OBJECTS: object[] = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: DIST_NS } },
  ...Array.from({ length: COPIES }, (_, i) => distNode(i)),
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: DIST_NS },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "example/web:1.0" }] } },
    },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "erlmcp-headless", namespace: DIST_NS },
    spec: { clusterIP: "None", selector: NODE_LABELS, ports: [{ name: "epmd", port: 4369 }] },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "erlmcp-dist", namespace: DIST_NS },
    spec: {
      selector: NODE_LABELS,
      ports: [
        { name: "epmd", port: 4369 },
        { name: "dist", port: 9100, targetPort: "dist" },
      ],
    },
  },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "erlmcp-dist", namespace: DIST_NS },
    spec: { defaultBackend: { service: { name: "erlmcp-dist", port: { name: "epmd" } } } },
  },
  ...Array.from({ length: BLOCK_POLICIES }, (_, p) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `vpn${p}`, namespace: DIST_NS },
    spec: {
      podSelector: { matchLabels: NODE_LABELS },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: NODE_LABELS } }, ...BLOCKS, ...(p === 0 ? [{ podSelector: {} }] : [])],
          ports: [{ port: 4369 }, { port: 9100, endPort: 9105 }],
        },
        { from: BLOCKS, ports: [{ port: 8080 }] },
      ],
    },
  })),
];

const distRoot = tempTree({ "dist.yaml": DIST_OBJECTS.map((o) => stringify(o)).join("---\n") });
const distLoaded = await loadInputs([distRoot], { cwd: distRoot });
const distUnit = { ...(distLoaded.units[0] as AuditUnit), profile: "production" } as AuditUnit;

describe("net-erlang-dist-lockdown on many copies of one workload beside NetworkPolicies of hundreds of ipBlocks", () => {
  it("finds each rule's problem once per workload and policy, with the same findings in both engines", async () => {
    expect(distLoaded.errors).toEqual([]);
    expect(distUnit.resources.length).toBe(DIST_OBJECTS.length);
    const control = setControls.find((c) => c.id === "net-erlang-dist-lockdown") as Control;
    const rego = new RegoEngine();
    await rego.prepare([control]);
    const [ts] = await typescript.evaluate(distUnit, [control], context);
    const [re] = await rego.evaluate(distUnit, [control], context);
    for (const verdict of [ts, re]) {
      expect(verdict?.errors).toEqual([]);
      const found = (messageId: string) => (verdict?.violations ?? []).filter((v) => v.messageId === messageId);
      // One violation per policy at the rule's first ipBlock (from[1]): not one per block and per copy.
      expect(found("distIngressFromIpBlock").map((v) => [v.resource.name, v.path])).toEqual(
        expect.arrayContaining(Array.from({ length: BLOCK_POLICIES }, (_, p) => [`vpn${p}`, ["spec", "ingress", 0, "from", 1]])),
      );
      expect(found("distIngressFromIpBlock")).toHaveLength(BLOCK_POLICIES);
      // The match-all podSelector of vpn0 also admits web's pods; the nodes' own podSelector admits only copies of erlmcp.
      expect(found("distIngressFromOtherPods").map((v) => [v.resource.name, v.path])).toEqual([
        ["vpn0", ["spec", "ingress", 0, "from", 257]],
      ]);
      expect(
        found("distExposedByService")
          .map((v) => v.data.port)
          .sort(),
      ).toEqual([4369, 9100]);
      expect(found("distExposedByIngress")).toHaveLength(1);
    }
    expect(keys(re?.violations ?? [])).toEqual(keys(ts?.violations ?? []));
  }, 60_000);
});
