/** What a cluster audit keeps of an object, and which differences from the repository are drift (no API server needed). */
import { describe, expect, it } from "vitest";
import { compareSnapshot, fieldDrift } from "../../src/cluster/compare.js";
import { clusterLocation } from "../../src/cluster/location.js";
import { quantityValue } from "../../src/cluster/quantity.js";
import { desiredState } from "../../src/cluster/strip.js";
import type { K8sObject } from "../../src/types.js";

const deployment = (container: Record<string, unknown>, extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop" },
  spec: {
    replicas: 2,
    template: { spec: { serviceAccountName: "web", containers: [{ name: "web", image: "web:1", ...container }], ...extra } },
  },
});

describe("quantities", () => {
  it("compares the API server's canonical form by value", () => {
    expect(quantityValue("4000m")).toBe(quantityValue("4"));
    expect(quantityValue("8192Mi")).toBe(quantityValue("8Gi"));
    expect(quantityValue("1e3")).toBe(quantityValue("1k"));
    expect(quantityValue("0.5")).toBe(quantityValue("500m"));
    expect(quantityValue("lots")).toBeUndefined();
  });
});

describe("drift between a rendered object and the cluster's", () => {
  it("is nothing when only the quantities' spelling differs", () => {
    const ours = deployment({ resources: { limits: { cpu: "4000m", memory: "8192Mi" } } });
    const theirs = deployment({ resources: { limits: { cpu: "4", memory: "8Gi" } } });
    expect(fieldDrift(ours, theirs)).toEqual([]);
  });

  it("names the image, replicas, securityContext and serviceAccountName that differ", () => {
    const ours = deployment({ securityContext: { privileged: false } });
    const theirs = deployment({ image: "web:2", securityContext: { privileged: true } }, { serviceAccountName: "default" });
    (theirs.spec as any).replicas = 5;
    expect(fieldDrift(ours, theirs).map((f) => [f.path, f.cluster])).toEqual([
      ["spec.replicas", 5],
      ["spec.template.spec.containers[0].image", "web:2"],
      ["spec.template.spec.containers[0].securityContext", { privileged: true }],
      ["spec.template.spec.serviceAccountName", "default"],
    ]);
  });

  it("reports a container added in the cluster", () => {
    const theirs = deployment({});
    (theirs.spec as any).template.spec.containers.push({ name: "sidecar", image: "tool:1" });
    expect(fieldDrift(deployment({}), theirs).map((f) => f.path)).toContain("spec.template.spec.containers.length");
  });

  it("ignores the API server's NetworkPolicy defaults but not a changed rule", () => {
    const policy = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", spec });
    const ours = policy({ podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }] });
    const defaulted = policy({ podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 8080, protocol: "TCP" }] }] });
    expect(fieldDrift(ours, defaulted)).toEqual([]);
    const opened = policy({ podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 4369, protocol: "TCP" }] }] });
    expect(fieldDrift(ours, opened).map((f) => f.path)).toEqual(["spec"]);
  });

  it("reports changed RBAC rules and subjects", () => {
    const role = (verbs: string[]): K8sObject => ({ kind: "Role", rules: [{ apiGroups: [""], resources: ["secrets"], verbs }] });
    expect(fieldDrift(role(["get"]), role(["get", "list"])).map((f) => f.path)).toEqual(["rules"]);
    const binding = (name: string): K8sObject => ({
      kind: "RoleBinding",
      roleRef: { kind: "Role", name: "r" },
      subjects: [{ kind: "User", name }],
    });
    expect(fieldDrift(binding("ann"), binding("bob")).map((f) => f.path)).toEqual(["subjects"]);
  });
});

describe("the desired state of a cluster object", () => {
  const read: K8sObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "db",
      namespace: "shop",
      uid: "u1",
      resourceVersion: "7",
      generation: 1,
      creationTimestamp: "2026-01-01T00:00:00Z",
      managedFields: [],
      labels: { a: "b" },
    },
    data: { password: "c2VjcmV0" },
    status: {},
  };

  it("drops status and server-populated metadata, keeps labels, and empties a Secret's values", () => {
    expect(desiredState(read)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: "shop", labels: { a: "b" } },
      data: { password: "" },
    });
  });

  it("is located at cluster://<context>/<namespace>/<kind>/<name>, _cluster for cluster-scoped objects", () => {
    expect(clusterLocation("prod", { namespace: "shop", kind: "Pod", name: "p" })).toBe("cluster://prod/shop/Pod/p");
    expect(clusterLocation("prod", { namespace: "", kind: "ClusterRole", name: "r" })).toBe("cluster://prod/_cluster/ClusterRole/r");
  });
});

describe("objects missing or extra", () => {
  const ns = (name: string, labels?: Record<string, string>) => {
    const object: K8sObject = { apiVersion: "v1", kind: "Namespace", metadata: { name, ...(labels ? { labels } : {}) } };
    return {
      ref: { apiVersion: "v1", kind: "Namespace", namespace: "", name },
      object,
      source: { file: `cluster://c/_cluster/Namespace/${name}`, line: 0, documentIndex: 0 },
    };
  };
  const binding = (name: string, labels?: Record<string, string>) => {
    const object: K8sObject = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, ...(labels ? { labels } : {}) },
    };
    return {
      ref: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", namespace: "", name },
      object,
      source: { file: `cluster://c/_cluster/ClusterRoleBinding/${name}`, line: 0, documentIndex: 0 },
    };
  };
  const snapshot = (resources: ReturnType<typeof ns>[]) => ({
    context: "c",
    server: "https://x",
    observedAt: "2026-12-01T00:00:00.000Z",
    resources,
    kinds: ["Namespace", "ClusterRoleBinding"],
    notServed: [],
  });

  it("does not call a Namespace outside -n missing (it was not read)", () => {
    const drift = compareSnapshot([{ id: "repo", resources: [ns("shop"), ns("ops")] }], snapshot([ns("shop")]), ["shop"]);
    expect(drift.units[0]!.missing).toEqual([]);
    expect(drift.units[0]!.notCompared.map((r) => r.name)).toEqual(["ops"]);
  });

  it("keeps objects with the RBAC-defaults label apart from extra, but lists them", () => {
    const defaults = { "kubernetes.io/bootstrapping": "rbac-defaults" };
    const drift = compareSnapshot([{ id: "repo", resources: [] }], snapshot([binding("cluster-admin", defaults), binding("sneaky")]));
    expect(drift.extra.map((r) => r.name)).toEqual(["sneaky"]);
    expect(drift.builtIn.map((r) => r.name)).toEqual(["cluster-admin"]);
  });
});
