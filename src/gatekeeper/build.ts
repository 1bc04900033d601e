/**
 * Gatekeeper ConstraintTemplates and constraints built from the controls' Rego and control.yaml.
 * scripts/generate-gatekeeper.ts commits them under policies/gatekeeper/; the gator engine builds
 * them on the fly with the parameters of each unit's profile.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Control } from "../catalog/types.js";
import { POLICIES_DIR } from "../paths.js";
import type { K8sObject } from "../types.js";

export const GATEKEEPER_TARGET = "admission.k8s.gatekeeper.sh";
export type EnforcementAction = "dryrun" | "warn" | "deny";

/** API groups of the kinds our object-scope controls match (`""` = core). */
export const KIND_GROUPS: Readonly<Record<string, readonly string[]>> = {
  Application: ["argoproj.io"],
  Certificate: ["cert-manager.io"],
  ClusterRole: ["rbac.authorization.k8s.io"],
  ClusterRoleBinding: ["rbac.authorization.k8s.io"],
  ConfigMap: [""],
  CronJob: ["batch"],
  DaemonSet: ["apps"],
  Deployment: ["apps"],
  ExternalSecret: ["external-secrets.io"],
  GitRepository: ["source.toolkit.fluxcd.io"],
  HorizontalPodAutoscaler: ["autoscaling"],
  Ingress: ["networking.k8s.io"],
  Job: ["batch"],
  Kustomization: ["kustomize.toolkit.fluxcd.io"],
  Namespace: [""],
  NetworkPolicy: ["networking.k8s.io"],
  PeerAuthentication: ["security.istio.io"],
  PersistentVolumeClaim: [""],
  Pod: [""],
  PodDisruptionBudget: ["policy"],
  PrometheusRule: ["monitoring.coreos.com"],
  ReplicaSet: ["apps"],
  Role: ["rbac.authorization.k8s.io"],
  RoleBinding: ["rbac.authorization.k8s.io"],
  Rollout: ["argoproj.io"],
  SealedSecret: ["bitnami.com"],
  Secret: [""],
  SecretProviderClass: ["secrets-store.csi.x-k8s.io"],
  Service: [""],
  ServiceAccount: [""],
  ServiceMonitor: ["monitoring.coreos.com"],
  StatefulSet: ["apps"],
};

/** Controls Gatekeeper can enforce: object scope, implemented in Rego. */
export function isGatekeeperControl(control: Control): boolean {
  return control.scope === "object" && control.engines.includes("rego");
}

/** `net-no-open-ingress` → `ErlmcpNetNoOpenIngress` (the constraint kind). */
export function constraintKind(id: string): string {
  return "Erlmcp" + id.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase());
}

const LIB_IMPORT = /^import data\.lib\.([a-z0-9_]+)/gm;

/** The policy's Rego and, in a stable order, every policies/lib file it imports (transitively). */
export function regoSources(control: Control, policiesDir = POLICIES_DIR): { rego: string; libs: string[] } {
  const rego = readFileSync(join(policiesDir, control.id, "policy.rego"), "utf8");
  const libs = new Map<string, string>();
  const visit = (source: string) => {
    for (const [, name] of source.matchAll(LIB_IMPORT)) {
      if (!name || libs.has(name)) continue;
      const text = readFileSync(join(policiesDir, "lib", `${name}.rego`), "utf8");
      libs.set(name, text);
      visit(text);
    }
  };
  visit(rego);
  return { rego, libs: [...libs.keys()].sort().map((name) => libs.get(name) as string) };
}

/** JSON Schema of control.yaml → a structural OpenAPI v3 schema (Kubernetes forbids `additionalProperties` beside `properties`). */
export function openApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openApiSchema);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$schema" || (key === "additionalProperties" && "properties" in schema)) continue;
    out[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, openApiSchema(v)]))
        : openApiSchema(value);
  }
  return out;
}

export function constraintTemplate(control: Control, policiesDir = POLICIES_DIR): K8sObject {
  const kind = constraintKind(control.id);
  const { rego, libs } = regoSources(control, policiesDir);
  return {
    apiVersion: "templates.gatekeeper.sh/v1",
    kind: "ConstraintTemplate",
    metadata: {
      name: kind.toLowerCase(),
      labels: { "app.kubernetes.io/part-of": "erlmcp-audit", "erlmcp.io/control": control.id },
      annotations: { "metadata.gatekeeper.sh/title": control.title, description: control.description },
    },
    spec: {
      crd: {
        spec: {
          names: { kind },
          ...(control.params ? { validation: { openAPIV3Schema: openApiSchema(control.params.schema) } } : {}),
        },
      },
      targets: [{ target: GATEKEEPER_TARGET, code: [{ engine: "Rego", source: { version: "v1", rego, libs } }] }],
    },
  };
}

/** `match.kinds`: the control's kinds grouped by API group, in a stable order. */
export function matchKinds(control: Control): Array<{ apiGroups: string[]; kinds: string[] }> {
  const byGroup = new Map<string, string[]>();
  for (const kind of control.kinds) {
    const groups = KIND_GROUPS[kind];
    if (!groups) throw new Error(`${control.dir}/control.yaml: kind ${kind} has no API group in KIND_GROUPS (src/gatekeeper/build.ts).`);
    for (const group of groups) byGroup.set(group, [...(byGroup.get(group) ?? []), kind]);
  }
  return [...byGroup.keys()].sort().map((group) => ({ apiGroups: [group], kinds: (byGroup.get(group) as string[]).sort() }));
}

export function constraint(
  control: Control,
  parameters: Record<string, unknown> | undefined = control.params?.defaults,
  enforcementAction: EnforcementAction = "dryrun",
): K8sObject {
  return {
    apiVersion: "constraints.gatekeeper.sh/v1beta1",
    kind: constraintKind(control.id),
    metadata: {
      name: control.id,
      labels: { "app.kubernetes.io/part-of": "erlmcp-audit", "erlmcp.io/control": control.id },
      annotations: { "erlmcp.io/severity": control.severity },
    },
    spec: {
      enforcementAction,
      match: { kinds: matchKinds(control) },
      ...(parameters && Object.keys(parameters).length ? { parameters } : {}),
    },
  };
}
