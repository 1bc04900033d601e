import { describe, expect, it } from "vitest";
import { buildNetworkModel, canReach, type NetworkModel } from "../../src/k8s/network-model.js";
import { refOf } from "../../src/k8s/workloads.js";
import type { K8sObject, Resource } from "../../src/types.js";

type Rec = Record<string, any>;

const resources = (objects: K8sObject[]): Resource[] =>
  objects.map((object, documentIndex) => ({ ref: refOf(object), object, source: { file: "t.yaml", line: 1, documentIndex } }));

const deploy = (namespace: string, name: string, labels: Rec, ports: Rec[] = []): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace },
  spec: { template: { metadata: { labels }, spec: { containers: [{ name, ports }] } } },
});

const netpol = (namespace: string, name: string, spec: Rec): K8sObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace },
  spec,
});

const namespace = (name: string, labels: Rec = {}): K8sObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });

const web = deploy("app", "web", { app: "web" });
const api = deploy("app", "api", { app: "api" }, [
  { name: "http", containerPort: 8080 },
  { name: "metrics", containerPort: 9090 },
]);
const worker = deploy("app", "worker", { app: "worker" });
const denyAll = netpol("app", "deny-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
const allowEgress = netpol("app", "allow-egress", { podSelector: {}, policyTypes: ["Egress"], egress: [{}] });
const coreDns = deploy("kube-system", "coredns", { "k8s-app": "kube-dns" }, [
  { name: "dns", containerPort: 53, protocol: "UDP" },
  { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
]);

const W = {
  web: "app/Deployment/web",
  api: "app/Deployment/api",
  worker: "app/Deployment/worker",
  front: "frontend/Deployment/ui",
  other: "other/Deployment/ui",
  dns: "kube-system/Deployment/coredns",
};

interface Case {
  name: string;
  objects: K8sObject[];
  allowed: Array<[string, string, string, number]>;
  denied: Array<[string, string, string, number]>;
}

const cases: Case[] = [
  {
    name: "no policy: unrestricted in both directions",
    objects: [web, api],
    allowed: [
      [W.web, W.api, "TCP", 8080],
      [W.api, W.web, "UDP", 1],
    ],
    denied: [],
  },
  {
    name: "default deny blocks everything",
    objects: [web, api, denyAll],
    allowed: [],
    denied: [
      [W.web, W.api, "TCP", 8080],
      [W.api, W.web, "TCP", 80],
    ],
  },
  {
    name: "same-namespace podSelector admits only the selected pods",
    objects: [
      web,
      api,
      worker,
      deploy("other", "ui", { app: "web" }),
      denyAll,
      allowEgress,
      netpol("other", "allow-egress", { podSelector: {}, egress: [{}] }),
      netpol("app", "api-from-web", {
        podSelector: { matchLabels: { app: "api" } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 8080 }] }],
      }),
    ],
    allowed: [[W.web, W.api, "TCP", 8080]],
    denied: [
      [W.web, W.api, "TCP", 9090],
      [W.web, W.api, "UDP", 8080],
      [W.worker, W.api, "TCP", 8080],
      [W.other, W.api, "TCP", 8080],
      [W.api, W.web, "TCP", 8080],
    ],
  },
  {
    name: "egress isolation alone denies the flow",
    objects: [
      web,
      api,
      netpol("app", "web-egress", {
        podSelector: { matchLabels: { app: "web" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: { matchLabels: { app: "worker" } } }] }],
      }),
    ],
    allowed: [[W.api, W.web, "TCP", 80]],
    denied: [[W.web, W.api, "TCP", 8080]],
  },
  {
    name: "namespaceSelector matches namespaces by label and by kubernetes.io/metadata.name",
    objects: [
      api,
      namespace("frontend", { team: "frontend" }),
      deploy("frontend", "ui", { app: "ui" }),
      deploy("other", "ui", { app: "ui" }),
      deploy("kube-system", "probe", { app: "probe" }),
      netpol("app", "api-ingress", {
        podSelector: { matchLabels: { app: "api" } },
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { team: "frontend" } }, podSelector: { matchLabels: { app: "ui" } } }],
            ports: [{ port: "http" }],
          },
          { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }], ports: [{ port: 9090 }] },
        ],
      }),
    ],
    allowed: [
      [W.front, W.api, "TCP", 8080],
      ["kube-system/Deployment/probe", W.api, "TCP", 9090],
    ],
    denied: [
      [W.other, W.api, "TCP", 8080],
      [W.front, W.api, "TCP", 9090],
      ["kube-system/Deployment/probe", W.api, "TCP", 8080],
    ],
  },
  {
    name: "named port resolves against the target's container ports",
    objects: [
      web,
      api,
      worker,
      netpol("app", "named", {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: {} }], ports: [{ port: "metrics" }] }],
      }),
    ],
    allowed: [[W.web, W.api, "TCP", 9090]],
    denied: [
      [W.web, W.api, "TCP", 8080],
      [W.api, W.worker, "TCP", 9090],
    ],
  },
  {
    name: "ipBlock peers do not admit in-cluster workloads",
    objects: [
      web,
      api,
      netpol("app", "lb", {
        podSelector: { matchLabels: { app: "api" } },
        ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.9.0.0/16", "10.1.0.0/16"] } }], ports: [{ port: 8080 }] }],
      }),
    ],
    allowed: [],
    denied: [[W.web, W.api, "TCP", 8080]],
  },
  {
    name: "egress DNS to kube-system kube-dns only",
    objects: [
      web,
      api,
      coreDns,
      netpol("app", "dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { port: 53, protocol: "UDP" },
              { port: "dns-tcp", protocol: "TCP" },
            ],
          },
        ],
      }),
    ],
    allowed: [
      [W.web, W.dns, "UDP", 53],
      [W.api, W.dns, "TCP", 53],
    ],
    denied: [
      [W.web, W.dns, "UDP", 54],
      [W.web, W.api, "TCP", 8080],
    ],
  },
];

describe("buildNetworkModel reachability", () => {
  it.each(cases)("$name", ({ objects, allowed, denied }) => {
    const model = buildNetworkModel(resources(objects));
    for (const [from, to, protocol, port] of allowed)
      expect(canReach(model, from, to, protocol, port), `${from} -> ${to} ${protocol}/${port}`).toBe(true);
    for (const [from, to, protocol, port] of denied)
      expect(canReach(model, from, to, protocol, port), `${from} -> ${to} ${protocol}/${port}`).toBe(false);
  });
});

describe("buildNetworkModel structure", () => {
  const objects = [...new Set(cases.flatMap((c) => c.objects))];

  it("is deterministic and JSON-serialisable", () => {
    const a = buildNetworkModel(resources(objects));
    const b = buildNetworkModel(resources([...objects].reverse()));
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it("reports isolation, policy selection and external peers", () => {
    const model: NetworkModel = buildNetworkModel(resources([web, api, denyAll, cases[6]!.objects[2]!]));
    const apiNode = model.workloads.find((w) => w.id === W.api)!;
    expect(apiNode.ingress).toEqual({ isolated: true, policies: ["app/deny-all", "app/lb"] });
    expect(apiNode.egress).toEqual({ isolated: true, policies: ["app/deny-all"] });
    expect(model.policies.map((p) => [p.id, p.policyTypes, p.selects])).toEqual([
      ["app/deny-all", ["ingress", "egress"], [W.api, W.web]],
      ["app/lb", ["ingress"], [W.api]],
    ]);
    expect(model.flows).toEqual([
      {
        direction: "ingress",
        policy: "app/lb",
        rule: 0,
        peer: "ipBlock",
        from: { type: "ipBlock", cidr: "10.0.0.0/8", except: ["10.1.0.0/16", "10.9.0.0/16"] },
        to: { type: "workload", id: W.api },
        ports: [{ protocol: "TCP", port: 8080, endPort: 8080, name: null }],
      },
    ]);
  });

  it("describes unrestricted directions and unresolved named ports towards external peers", () => {
    const model = buildNetworkModel(
      resources([
        web,
        netpol("app", "out", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: "https" }, { protocol: "UDP" }] }] }),
      ]),
    );
    expect(model.flows).toEqual([
      {
        direction: "egress",
        policy: "app/out",
        rule: 0,
        peer: "any",
        from: { type: "workload", id: W.web },
        to: { type: "anything" },
        ports: [
          { protocol: "TCP", port: null, endPort: null, name: "https" },
          { protocol: "UDP", port: 1, endPort: 65535, name: null },
        ],
      },
      {
        direction: "ingress",
        policy: null,
        rule: null,
        peer: "unrestricted",
        from: { type: "anything" },
        to: { type: "workload", id: W.web },
        ports: [{ protocol: "any", port: 1, endPort: 65535, name: null }],
      },
    ]);
  });
});
