import { join } from "node:path";
import { Issuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import { ValidatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration";
import { describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import { loadCatalog } from "../../src/catalog/load.js";
import { MANIFESTS, kustomizeBuild, parseDocs } from "../manifests/render.js";
import { validateResources } from "../manifests/strict-schema.js";

const DIR = join(MANIFESTS, "admission");
const docs = parseDocs(kustomizeBuild(DIR), "kustomize manifests/admission");
const one = (kind: string) => docs.find((d) => d.kind === kind)!;

/** Where each kind an object-scope control inspects is served: API group and resource. */
const RESOURCES: Record<string, [string, string]> = {
  Pod: ["", "pods"],
  ReplicationController: ["", "replicationcontrollers"],
  PodTemplate: ["", "podtemplates"],
  Service: ["", "services"],
  ConfigMap: ["", "configmaps"],
  Secret: ["", "secrets"],
  ServiceAccount: ["", "serviceaccounts"],
  PersistentVolumeClaim: ["", "persistentvolumeclaims"],
  PersistentVolume: ["", "persistentvolumes"],
  Namespace: ["", "namespaces"],
  Deployment: ["apps", "deployments"],
  StatefulSet: ["apps", "statefulsets"],
  DaemonSet: ["apps", "daemonsets"],
  ReplicaSet: ["apps", "replicasets"],
  Job: ["batch", "jobs"],
  CronJob: ["batch", "cronjobs"],
  Role: ["rbac.authorization.k8s.io", "roles"],
  RoleBinding: ["rbac.authorization.k8s.io", "rolebindings"],
  ClusterRole: ["rbac.authorization.k8s.io", "clusterroles"],
  ClusterRoleBinding: ["rbac.authorization.k8s.io", "clusterrolebindings"],
  NetworkPolicy: ["networking.k8s.io", "networkpolicies"],
  Ingress: ["networking.k8s.io", "ingresses"],
  PodDisruptionBudget: ["policy", "poddisruptionbudgets"],
  HorizontalPodAutoscaler: ["autoscaling", "horizontalpodautoscalers"],
  Rollout: ["argoproj.io", "rollouts"],
  Application: ["argoproj.io", "applications"],
  ServiceMonitor: ["monitoring.coreos.com", "servicemonitors"],
  PrometheusRule: ["monitoring.coreos.com", "prometheusrules"],
  ExternalSecret: ["external-secrets.io", "externalsecrets"],
  SealedSecret: ["bitnami.com", "sealedsecrets"],
  Certificate: ["cert-manager.io", "certificates"],
  PeerAuthentication: ["security.istio.io", "peerauthentications"],
  Kustomization: ["kustomize.toolkit.fluxcd.io", "kustomizations"],
  GitRepository: ["source.toolkit.fluxcd.io", "gitrepositories"],
  SecretProviderClass: ["secrets-store.csi.x-k8s.io", "secretproviderclasses"],
};

describe("manifests/admission", () => {
  it("passes our own audit with zero findings", async () => {
    const report = await audit([DIR], { config: false });
    expect(report.inputErrors).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(report.summary.exitCode).toBe(0);
  });

  it("validates against the Kubernetes and cert-manager schemas", () => {
    const strict = docs.filter((d) => !["ValidatingWebhookConfiguration", "Issuer"].includes(d.kind));
    expect(validateResources(strict)).toEqual([]);
    expect(() => new ValidatingWebhookConfiguration(one("ValidatingWebhookConfiguration") as never).validate()).not.toThrow();
    expect(() => new Issuer(one("Issuer") as never).validate()).not.toThrow();
  });

  it("registers a fail-closed, side-effect-free webhook that skips kube-system and reaches the Service", () => {
    const config = one("ValidatingWebhookConfiguration");
    const service = one("Service");
    const deployment = one("Deployment");
    const args: string[] = deployment.spec.template.spec.containers[0].args;
    const serverTimeout = Number(args.find((a) => a.startsWith("--timeout="))!.split("=")[1]);
    // The listed kinds, and custom workloads (any other resource with a pod template, chosen by match conditions).
    expect(config.webhooks.map((w: any) => w.name)).toEqual([
      "validate.erlmcp-audit.erlmcp.io",
      "workloads.validate.erlmcp-audit.erlmcp.io",
    ]);
    const [webhook, workloads] = config.webhooks;
    for (const hook of config.webhooks) {
      expect(hook).toMatchObject({ failurePolicy: "Fail", sideEffects: "None", admissionReviewVersions: ["v1"] });
      expect(hook.namespaceSelector).toEqual(webhook.namespaceSelector);
      expect(hook.clientConfig).toEqual(webhook.clientConfig);
      expect(hook.timeoutSeconds).toBe(webhook.timeoutSeconds);
    }
    expect(workloads.matchConditions.map((c: any) => c.name)).toEqual(["not-matched-above", "carries-a-pod-template"]);
    // Every group the first webhook lists is excluded from the second, so nothing is reviewed twice.
    for (const rule of webhook.rules)
      for (const group of rule.apiGroups) expect(workloads.matchConditions[0].expression).toContain(`'${group}'`);
    expect(webhook.timeoutSeconds * 1000).toBeGreaterThan(serverTimeout);
    expect(webhook.timeoutSeconds).toBeLessThanOrEqual(30);
    const excluded = webhook.namespaceSelector.matchExpressions.find(
      (e: any) => e.key === "kubernetes.io/metadata.name" && e.operator === "NotIn",
    ).values;
    expect(excluded).toEqual(expect.arrayContaining(["kube-system", deployment.metadata.namespace]));
    expect(args).toContain(`--exclude-namespaces=${excluded.join(",")}`);
    expect(webhook.clientConfig.service).toEqual({
      name: service.metadata.name,
      namespace: service.metadata.namespace,
      path: "/validate",
      port: service.spec.ports[0].port,
    });
    const certificate = one("Certificate");
    expect(config.metadata.annotations["cert-manager.io/inject-ca-from"]).toBe(
      `${certificate.metadata.namespace}/${certificate.metadata.name}`,
    );
    expect(certificate.spec.dnsNames).toContain(`${service.metadata.name}.${service.metadata.namespace}.svc`);
    expect(deployment.spec.template.spec.volumes.find((v: any) => v.secret)?.secret.secretName).toBe(certificate.spec.secretName);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(one("PodDisruptionBudget").spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  it("sends every kind an object-scope control inspects", () => {
    const rules: any[] = one("ValidatingWebhookConfiguration").webhooks[0].rules;
    const kinds = [
      ...new Set(
        loadCatalog()
          .filter((c) => c.scope === "object")
          .flatMap((c) => c.kinds),
      ),
    ].sort();
    const missing = kinds.filter((kind) => {
      const [group, resource] = RESOURCES[kind] ?? ["?", "?"];
      return !rules.some(
        (r) =>
          r.apiGroups.includes(group) &&
          r.resources.includes(resource) &&
          r.operations.includes("CREATE") &&
          r.operations.includes("UPDATE"),
      );
    });
    expect(missing).toEqual([]);
  });

  it("sends pods/ephemeralcontainers updates (kubectl debug) and no other subresource", () => {
    const rules: any[] = one("ValidatingWebhookConfiguration").webhooks[0].rules;
    const subresources = rules.flatMap((r) => r.resources.filter((res: string) => res.includes("/")));
    expect(subresources).toEqual(["pods/ephemeralcontainers"]);
    const rule = rules.find((r) => r.resources.includes("pods/ephemeralcontainers"));
    expect(rule).toMatchObject({ apiGroups: [""], apiVersions: ["v1"] });
    expect(rule.operations).toContain("UPDATE");
  });

  it("runs as many evaluation workers as its CPU limit", () => {
    const container = one("Deployment").spec.template.spec.containers[0];
    const workers = Number(container.args.find((a: string) => a.startsWith("--workers="))?.split("=")[1]);
    expect(workers).toBe(Number(container.resources.limits.cpu));
  });
});
