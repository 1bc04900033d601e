import { describe, expect, it } from "vitest";
import { allManifestSets, type K8sDoc } from "./render.js";

const sets = allManifestSets();
const meshSets = [...sets].filter(([name, docs]) => name !== "gitops" && docs.some((d) => d.kind === "PeerAuthentication"));

const nodeWorkloads = (docs: K8sDoc[]): K8sDoc[] => docs.filter((d) => d.kind === "StatefulSet" || d.kind === "Rollout");
const env = (w: K8sDoc, name: string): K8sDoc | undefined =>
  (w.spec.template.spec.containers[0].env as K8sDoc[]).find((e) => e.name === name);
const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The effective Istio mTLS mode of a container port of a pod (workload policy, then namespace policy). */
function mtlsMode(docs: K8sDoc[], podLabels: Record<string, string>, ns: string, port: number): string {
  const pas = docs.filter((d) => d.kind === "PeerAuthentication" && d.metadata.namespace === ns);
  const workload = pas.find((p) => p.spec.selector && selects(p.spec.selector.matchLabels, podLabels));
  const namespaceWide = pas.find((p) => !p.spec.selector);
  for (const pa of [workload, namespaceWide]) {
    if (!pa) continue;
    const portMode = pa.spec.portLevelMtls?.[String(port)]?.mode;
    return portMode ?? pa.spec.mtls?.mode ?? "PERMISSIVE";
  }
  return "PERMISSIVE";
}

describe("STRICT mTLS with the clients outside the mesh", () => {
  it("finds the meshed forms", () => expect(meshSets.length).toBeGreaterThanOrEqual(5));

  it.each(meshSets)("%s: the http and metrics ports accept the non-mesh edge and Prometheus; management, EPMD and distribution stay STRICT", (_name, docs) => {
    for (const w of nodeWorkloads(docs)) {
      const ports = Object.fromEntries((w.spec.template.spec.containers[0].ports as K8sDoc[]).map((p) => [p.name, p.containerPort as number]));
      const mode = (port: number): string => mtlsMode(docs, w.spec.template.metadata.labels, w.metadata.namespace, port);
      expect(mode(ports.http!), `${w.metadata.name} http`).toBe("PERMISSIVE");
      expect(mode(ports.metrics!), `${w.metadata.name} metrics`).toBe("PERMISSIVE");
      expect(mode(ports.management!), `${w.metadata.name} management`).toBe("STRICT");
      for (const p of [4369, 9100, 9105]) expect(mode(p), `${w.metadata.name} ${p}`).toBe("STRICT");
    }
  });
});

describe("node names versus the distribution certificate", () => {
  const sslDist = (docs: K8sDoc[]): string => String(docs.find((d) => d.kind === "ConfigMap" && d.data?.["ssl_dist.conf"])?.data["ssl_dist.conf"]);

  it.each([...sets].filter(([n]) => n !== "gitops"))("%s: the certificate covers the node names, or the canary relies on the CA without a host name check", (_name, docs) => {
    const cert = docs.find((d) => d.kind === "Certificate" && d.spec.usages?.includes("client auth"));
    expect(cert).toBeDefined();
    for (const w of nodeWorkloads(docs)) {
      const node = String(env(w, "RELEASE_NODE")?.value);
      const host = node.replace(/^erlmcp@/, "").replace("$(POD_NAME)", "erlmcp-0").replace("$(POD_NAMESPACE)", w.metadata.namespace);
      const covered = (cert!.spec.dnsNames as string[]).some((n) => (n.startsWith("*.") ? host.endsWith(n.slice(1)) && !host.slice(0, -n.length + 1).includes(".") : host === n));
      if (w.kind === "Rollout") {
        expect(host).toBe("$(POD_IP)");
        expect(sslDist(docs)).toMatch(/\{client,[\s\S]*\{verify, verify_peer\}[\s\S]*\{server_name_indication, disable\}/);
        expect(sslDist(docs)).toMatch(/\{server,[\s\S]*\{fail_if_no_peer_cert, true\}/);
      } else {
        expect(covered, `${w.metadata.name}: ${host} not in ${cert!.spec.dnsNames}`).toBe(true);
        expect(sslDist(docs)).not.toContain("server_name_indication");
      }
    }
  });
});

describe("the canary", () => {
  const docs = sets.get("standalone/canary")!;
  const rollout = docs.find((d) => d.kind === "Rollout")!;

  it("forms its own Erlang cluster per ReplicaSet (never mixes versions with the stable pods)", () => {
    expect(env(rollout, "ERLMCP_DISCOVERY_POD_TEMPLATE_HASH")?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.labels['rollouts-pod-template-hash']");
  });

  it("binds its VirtualService to the Istio ingress gateway and the mesh, for the public host too", () => {
    const vs = docs.find((d) => d.kind === "VirtualService")!;
    const ingressHost = docs.find((d) => d.kind === "Ingress")!.spec.rules[0].host;
    expect(vs.spec.gateways).toContain("mesh");
    expect(vs.spec.gateways.some((g: string) => /^[a-z0-9-]+\/[a-z0-9-]+$/.test(g))).toBe(true);
    expect(vs.spec.hosts).toContain(ingressHost);
    expect(rollout.spec.strategy.canary.trafficRouting.istio.virtualService.name).toBe(vs.metadata.name);
  });

  it("is analysed for the whole rollout, and no traffic is inconclusive rather than a pass", () => {
    const template = docs.find((d) => d.kind === "AnalysisTemplate")!;
    const metric = template.spec.metrics[0];
    expect(metric.count).toBeUndefined();
    expect(metric.query ?? metric.provider.prometheus.query).toMatch(/or on\(\) vector\(-1\)/);
    expect(metric.failureCondition).toMatch(/result\[0\] >= 0/);
  });
});
