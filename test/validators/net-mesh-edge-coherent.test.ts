/**
 * net-mesh-edge-coherent beyond its fixtures: Istio's precedence and port-level rules, the ingress class,
 * the Prometheus TLS settings and malformed input, each judged by Rego (the compiled bundle) and the
 * TypeScript validator, which must report the same findings with the same data and paths.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadControl } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { RegoEngine } from "../../src/engines/rego.js";
import { TypeScriptEngine } from "../../src/engines/typescript.js";
import { verdictOf } from "../../src/evaluation/unit.js";
import { formatPath } from "../../src/k8s/field-path.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { POLICIES_DIR } from "../../src/paths.js";
import type { AuditUnit } from "../../src/types.js";

const control = loadControl(join(POLICIES_DIR, "net-mesh-edge-coherent"));
const rego = new RegoEngine();
const typescript = new TypeScriptEngine();

beforeAll(async () => {
  await rego.prepare([]);
});

const STRICT_NS = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: shop }
spec: { mtls: { mode: STRICT } }
`;
const web = (templateMeta = "{ labels: { app: web } }", kind = "Deployment") => `apiVersion: apps/v1
kind: ${kind}
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: ${templateMeta}
    spec:
      containers:
        - name: web
          image: web
          ports: [{ name: http, containerPort: 8080 }, { name: metrics, containerPort: 9090 }]
`;
const LB = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop, labels: { app: web } }
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
`;
const CLUSTER_IP = LB.replace("type: LoadBalancer", "type: ClusterIP");
const workloadPolicy = (spec: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
${spec}
`;
const ingress = (meta: string, className = "") => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop${meta} }
spec:
  ${className ? `ingressClassName: ${className}` : ""}
  rules: [{ http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]
`;
const ingressClass = (name: string, controller: string, isDefault: boolean) => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: ${name}, annotations: { ingressclass.kubernetes.io/is-default-class: "${isDefault}" } }
spec: { controller: ${controller} }
`;
const serviceMonitor = (endpoint: string) => `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  endpoints: [${endpoint}]
`;

const LB_FINDING = "strictBehindExternalService Service/web @ spec.ports[0] 8080 by shop/default";
const INGRESS_FINDING = "strictBehindIngress Ingress/web @ spec.rules[0].http.paths[0].backend 8080 by shop/default";
const SCRAPE_FINDING = "strictScrapedWithoutMeshTls ServiceMonitor/web @ spec.endpoints[0] 9090 by shop/default";

const cases: Array<[name: string, docs: string[], expected: string[], params?: Record<string, unknown>]> = [
  ["namespace STRICT behind a LoadBalancer", [STRICT_NS, web(), LB], [LB_FINDING]],
  [
    "two STRICT namespace policies are both named",
    [STRICT_NS, STRICT_NS.replace("name: default", "name: other"), web(), LB],
    ["strictBehindExternalService Service/web @ spec.ports[0] 8080 by shop/default, shop/other"],
  ],
  [
    "a PERMISSIVE policy beside the STRICT one may be the oldest: not reported",
    [STRICT_NS, STRICT_NS.replace("name: default", "name: old").replace("STRICT", "PERMISSIVE"), web(), LB],
    [],
  ],
  ["a numeric portLevelMtls key", [STRICT_NS, workloadPolicy("  portLevelMtls: { 8080: { mode: DISABLE } }"), web(), LB], []],
  [
    "a port-level UNSET inherits the workload's STRICT",
    [workloadPolicy("  mtls: { mode: STRICT }\n  portLevelMtls: { '8080': { mode: UNSET } }"), web(), LB],
    [LB_FINDING.replace("shop/default", "shop/web")],
  ],
  [
    "portLevelMtls as a list is no exception",
    [STRICT_NS, workloadPolicy("  portLevelMtls: [{ mode: PERMISSIVE }]"), web(), LB],
    [LB_FINDING],
  ],
  [
    "a policy selecting one pod of a StatefulSet does not decide for the workload",
    [
      STRICT_NS,
      workloadPolicy("  mtls: { mode: PERMISSIVE }").replace("{ app: web }", "{ statefulset.kubernetes.io/pod-name: web-0 }"),
      web(undefined, "StatefulSet"),
      LB,
    ],
    [LB_FINDING.replace("Deployment", "StatefulSet")],
  ],
  [
    "mesh root namespace as a parameter",
    [STRICT_NS.replace("namespace: shop", "namespace: mesh"), web(), LB],
    [LB_FINDING.replace("shop/default", "mesh/default")],
    { meshRootNamespace: "mesh" },
  ],
  [
    "mesh-wide STRICT outside the root namespace parameter",
    [STRICT_NS.replace("namespace: shop", "namespace: istio-system"), web(), LB],
    [],
    { meshRootNamespace: "mesh" },
  ],
  ["sidecar opted out by label", [STRICT_NS, web('{ labels: { app: web, sidecar.istio.io/inject: "false" } }'), LB], []],
  [
    "a policy with a selector in the root namespace is ignored",
    [STRICT_NS, workloadPolicy("  mtls: { mode: PERMISSIVE }"), web(), LB].map((d) =>
      d.replaceAll("namespace: shop", "namespace: istio-system"),
    ),
    [LB_FINDING.replace("shop/default", "istio-system/default")],
  ],
  [
    "a pod on the host network (never injected)",
    [STRICT_NS, web().replace("    spec:\n      containers:", "    spec:\n      hostNetwork: true\n      containers:"), LB],
    [],
  ],
  [
    "a Gateway API managed gateway",
    [STRICT_NS, web("{ labels: { app: web, gateway.istio.io/managed: istio.io-gateway-controller } }"), LB],
    [],
  ],
  [
    "a non-string injection template is not a gateway",
    [STRICT_NS, web("{ labels: { app: web }, annotations: { inject.istio.io/templates: 1 } }"), LB],
    [LB_FINDING],
  ],
  [
    "an Ingress of a non-Istio class by annotation",
    [STRICT_NS, web(), CLUSTER_IP, ingress(", annotations: { kubernetes.io/ingress.class: traefik }")],
    [INGRESS_FINDING],
  ],
  [
    "an Ingress without class served by an Istio default class",
    [STRICT_NS, web(), CLUSTER_IP, ingress(""), ingressClass("mesh", "istio.io/ingress-controller", true)],
    [],
  ],
  [
    "a class named istio of another controller",
    [STRICT_NS, web(), CLUSTER_IP, ingress("", "istio"), ingressClass("istio", "k8s.io/ingress-nginx", false)],
    [INGRESS_FINDING],
  ],
  [
    "an IngressClass name twice (kubectl leaves the later one, nginx's: a set is judged as it ends)",
    [
      STRICT_NS,
      web(),
      CLUSTER_IP,
      ingress("", "edge"),
      ingressClass("edge", "istio.io/ingress-controller", false),
      ingressClass("edge", "k8s.io/ingress-nginx", false),
    ],
    [INGRESS_FINDING],
  ],
  [
    "an IngressClass name twice, Istio's the later one",
    [
      STRICT_NS,
      web(),
      CLUSTER_IP,
      ingress("", "edge"),
      ingressClass("edge", "k8s.io/ingress-nginx", false),
      ingressClass("edge", "istio.io/ingress-controller", false),
    ],
    [],
  ],
  [
    "a ServiceMonitor in plain HTTP",
    [
      STRICT_NS,
      web(),
      CLUSTER_IP.replace("name: http, port: 80, targetPort: http", "name: metrics, port: 9090, targetPort: metrics"),
      serviceMonitor("{ port: metrics }"),
    ],
    [SCRAPE_FINDING],
  ],
  [
    "a ServiceMonitor with Istio's certificate files",
    [
      STRICT_NS,
      web(),
      CLUSTER_IP,
      serviceMonitor(
        "{ targetPort: 9090, scheme: https, tlsConfig: { certFile: /etc/istio-certs/cert-chain.pem, keyFile: /etc/istio-certs/key.pem } }",
      ),
    ],
    [],
  ],
  [
    "certificate files elsewhere",
    [
      STRICT_NS,
      web(),
      CLUSTER_IP,
      serviceMonitor("{ targetPort: 9090, scheme: https, tlsConfig: { certFile: /tmp/c.pem, keyFile: /tmp/k.pem } }"),
    ],
    [SCRAPE_FINDING],
  ],
  [
    "certificate directories as a parameter",
    [
      STRICT_NS,
      web(),
      CLUSTER_IP,
      serviceMonitor("{ targetPort: 9090, scheme: https, tlsConfig: { certFile: /tmp/c.pem, keyFile: /tmp/k.pem } }"),
    ],
    [],
    { istioCertDirs: ["/tmp/"] },
  ],
  [
    "a non-string scheme",
    [
      STRICT_NS,
      web(),
      CLUSTER_IP,
      serviceMonitor(
        "{ targetPort: 9090, scheme: 1, tlsConfig: { cert: { secret: { name: c, key: c } }, keySecret: { name: c, key: k } } }",
      ),
    ],
    [SCRAPE_FINDING],
  ],
  [
    "Service ports that are not a list",
    [STRICT_NS, web(), LB.replace("ports: [{ name: http, port: 80, targetPort: http }]", "ports: { name: http }")],
    [],
  ],
  [
    "matchNames that is not a list names no namespace (not even the monitor's own)",
    [
      STRICT_NS,
      web(),
      CLUSTER_IP,
      serviceMonitor("{ targetPort: 9090 }").replace("spec:\n", "spec:\n  namespaceSelector: { matchNames: other }\n"),
    ],
    [],
  ],
  ["a Service without a selector", [STRICT_NS, web(), LB.replace("  selector: { app: web }\n", "")], []],
];

async function violations(engine: RegoEngine | TypeScriptEngine, docs: string[], params: Record<string, unknown>) {
  const parsed = parseManifestStream(docs.join("---\n"), { file: "case.yaml" });
  expect(parsed.errors).toEqual([]);
  const unit: AuditUnit = { id: "case", kind: "files", path: "case.yaml", resources: parsed.resources, profile: "production" };
  const verdict = await verdictOf(engine, unit, control, { ...resolveParams(control, "production"), ...params });
  expect(verdict?.errors ?? []).toEqual([]);
  return verdict?.violations ?? [];
}

/** Each finding as `messageId Kind/name @ path port by policies`, sorted. */
async function located(engine: RegoEngine | TypeScriptEngine, docs: string[], params: Record<string, unknown>): Promise<string[]> {
  return [
    ...new Set(
      (await violations(engine, docs, params)).map(
        (v) =>
          `${v.messageId} ${v.resource.kind}/${v.resource.name} @ ${formatPath(v.path ?? [])} ${v.data.port} by ${v.data.peerAuthentication}`,
      ),
    ),
  ].sort();
}

describe("net-mesh-edge-coherent: Rego and TypeScript", () => {
  it.each(cases)("%s", async (_name, docs, expected, params = {}) => {
    expect(await located(rego, docs, params), "rego").toEqual([...expected].sort());
    expect(await located(typescript, docs, params), "typescript").toEqual([...expected].sort());
  });

  it.each(cases)("%s: the same data", async (_name, docs, _expected, params = {}) => {
    const full = async (engine: RegoEngine | TypeScriptEngine) =>
      (await violations(engine, docs, params))
        .map((v) => JSON.stringify([v.messageId, Object.entries(v.resource).sort(), v.path, Object.entries(v.data).sort()]))
        .sort();
    expect(await full(typescript)).toEqual(await full(rego));
  });
});
