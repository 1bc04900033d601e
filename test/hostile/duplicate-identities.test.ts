/**
 * One manifest set holding two objects of one identity (a folder with prod/ and staging/ copies of one
 * app, docs/inputs.md "Manifest sets"): `kubectl apply -R -f` leaves the last copy in the byte order of
 * the file paths (Staging/ before prod/), so lookups by identity read the last one. The later (staging) copy of a ConfigMap turns Erlang
 * distribution TLS off and the later copy of an aggregated ClusterRole's source reads Secrets; both
 * engines find it, with no evaluation error and no disagreement.
 */
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { deploymentYaml, SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";

const CONTROLS = ["tls-erlang-dist", "net-erlang-dist-lockdown", "tls-dist-cert-names", "iam-workload-identity"];

/** One copy of the app: ERL_FLAGS from ConfigMap `flags`, its ServiceAccount bound to an aggregated ClusterRole. */
const APP = (erlFlags: string, sourceResources: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: flags, namespace: dup}
data:
  erl-flags: "${erlFlags}"
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: node, namespace: dup}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: dup-source, labels: {dup.example/aggregate: "true"}}
rules: [{apiGroups: [""], resources: [${sourceResources}], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: dup-peers}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {dup.example/aggregate: "true"}}]}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dup-peers, namespace: dup}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: dup-peers}
subjects: [{kind: ServiceAccount, name: node}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: node, namespace: dup}
spec:
  serviceName: node
  selector: {matchLabels: {app: node}}
  template:
    metadata: {labels: {app: node}}
    spec:
      serviceAccountName: node
      containers:
        - name: node
          image: example/node:1.0
          ports: [{name: epmd, containerPort: 4369}]
          env: [{name: ERL_FLAGS, valueFrom: {configMapKeyRef: {name: flags, key: erl-flags}}}]
`;

const GOOD = APP("-proto_dist inet_tls -ssl_dist_optfile /etc/node/ssl_dist.conf", "pods, endpoints");
const BAD = APP("-proto_dist inet_tcp", "secrets");

async function audit(files: Record<string, string>): Promise<AuditReport> {
  const root = tempTree(files);
  const run = await runCli([
    root,
    "--controls",
    CONTROLS.join(","),
    "--no-config",
    "--format",
    "json",
    "--engine",
    "rego",
    "--engine",
    "typescript",
  ]);
  return JSON.parse(run.stdout) as AuditReport;
}

const failing = (report: AuditReport, controlId: string) =>
  report.findings
    .filter((f) => f.controlId === controlId && f.status === "fail" && f.resource.namespace === "dup")
    .map((f) => `${f.resource.kind}/${f.resource.name} ${f.messageId}`)
    .sort();

describe("two objects of one identity in one manifest set: the last one decides, in both engines", () => {
  it.each([
    ["the later staging copy carries the defect", { "app/prod/app.yaml": GOOD, "app/staging/app.yaml": BAD }, true],
    ["the later staging copy fixes it", { "app/prod/app.yaml": BAD, "app/staging/app.yaml": GOOD }, false],
    // kubectl walks names by their bytes: Staging/ (S, 0x53) before prod/ (p, 0x70), where a locale order puts it after.
    ["the later copy by bytes (prod/ after Staging/) carries the defect", { "app/Staging/app.yaml": GOOD, "app/prod/app.yaml": BAD }, true],
    ["the later copy by bytes (prod/ after Staging/) fixes it", { "app/Staging/app.yaml": BAD, "app/prod/app.yaml": GOOD }, false],
  ])("%s", async (_what, copies, defective) => {
    const report = await audit({ ...copies, "app/survivor.yaml": SURVIVOR_DEPLOYMENT });
    expect(report.inputErrors).toEqual([]);
    expect(report.findings.filter((f) => f.status === "error").map((f) => `${f.controlId} ${f.message}`)).toEqual([]);
    expect(report.disagreements).toEqual([]);
    for (const control of report.controls.filter((c) => CONTROLS.includes(c.id)))
      for (const result of control.results) expect([...result.engines].sort()).toEqual(["rego", "typescript"]);
    // The StatefulSet that exists reads the ConfigMap that exists.
    expect([...new Set(failing(report, "tls-erlang-dist"))]).toEqual(defective ? ["StatefulSet/node distNotEncrypted"] : []);
    expect(failing(report, "iam-workload-identity").some((f) => f.endsWith("tokenAutomountedOverprivileged"))).toBe(defective);
  });
});

/** A default-deny NetworkPolicy of namespace `shop` with these policy types. */
const DENY = (types: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [${types}]}
`;

const WEB = deploymentYaml("web", "shop");

describe("set-scope controls judge the set as it ends: an earlier copy of an object is not part of it", () => {
  it.each([
    [
      "a later copy narrows the default deny to ingress",
      DENY("Ingress, Egress"),
      DENY("Ingress"),
      ["Namespace/shop namespaceWithoutDefaultDeny"],
    ],
    ["a later copy widens it to egress too", DENY("Ingress"), DENY("Ingress, Egress"), []],
  ])("%s", async (_what, first, last, expected) => {
    const root = tempTree({ "a.yaml": first, "b.yaml": last, "web.yaml": WEB, "survivor.yaml": SURVIVOR_DEPLOYMENT });
    const run = await runCli([root, "--controls", "net-default-deny", "--no-config", "--format", "json"]);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.inputErrors).toEqual([]);
    expect(report.disagreements).toEqual([]);
    const shop = report.findings.filter((f) => f.status === "fail" && (f.resource.namespace === "shop" || f.resource.name === "shop"));
    expect(shop.map((f) => `${f.resource.kind}/${f.resource.name} ${f.messageId}`)).toEqual(expected);
  });
});
