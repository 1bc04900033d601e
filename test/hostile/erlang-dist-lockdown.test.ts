/**
 * net-erlang-dist-lockdown reads an Erlang node's distribution port range as the VM does: a workload
 * that moves its range where the control's old regex did not look (ERL_ZFLAGS, a later env entry read
 * from a ConfigMap, a mounted vm.args, an -args_file, the container command) and opens it to another namespace is
 * planted beside the locked-down erlmcp manifest and a plain Deployment, then audited through the CLI
 * with the Rego (wasm) and TypeScript engines: the opened range is found by both, with no disagreement.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree, failingFindings } from "../helpers/audit-tree.js";
import { SURVIVOR_DEPLOYMENT } from "../helpers/tmp.js";

const ID = "net-erlang-dist-lockdown";
const LOCKED_DOWN = readFileSync(join(PACKAGE_ROOT, "fixtures", ID, "pass.erlmcp-locked-down.yaml"), "utf8");
const NS = "planted";

/** An Erlang node StatefulSet in {@link NS} with the given container fields and pod volumes (YAML flow maps). */
const NODE = (container: string, volumes = "[]") => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: node, namespace: ${NS}}
spec:
  serviceName: node-headless
  selector: {matchLabels: {app: node}}
  template:
    metadata: {labels: {app: node}}
    spec:
      volumes: ${volumes}
      containers:
        - {name: node, image: example/node:1.0, ports: [{name: epmd, containerPort: 4369}], ${container}}
---
apiVersion: v1
kind: Service
metadata: {name: node-headless, namespace: ${NS}}
spec: {clusterIP: None, selector: {app: node}, ports: [{name: epmd, port: 4369}]}
`;

/** A NetworkPolicy that lets the monitoring namespace reach `port` on the node. */
const SCRAPE = (port: number) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: scrape, namespace: ${NS}}
spec:
  podSelector: {matchLabels: {app: node}}
  policyTypes: [Ingress]
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
      ports: [{port: ${port}}]
`;

const FLAGS = `apiVersion: v1
kind: ConfigMap
metadata: {name: flags, namespace: ${NS}}
data:
  dist: "-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9205"
  dist.args: "-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9205"
  vm.args: |
    -name node@127.0.0.1
    # -kernel inet_dist_listen_min 9400
    -kernel inet_dist_listen_min 9300 inet_dist_listen_max 9305
`;

/** Ways to move the distribution range to 9200-9205 (9300-9305 for vm.args) that the old reader did not see. */
const PLANTED: Array<[string, string, string, number]> = [
  [
    "ERL_ZFLAGS, which wins over the args",
    `args: [foreground, -kernel, inet_dist_listen_min, "9100"], env: [{name: ERL_ZFLAGS, valueFrom: {configMapKeyRef: {name: flags, key: dist}}}]`,
    "[]",
    9204,
  ],
  [
    "a later ERL_FLAGS entry read from a ConfigMap",
    `env: [{name: ERL_FLAGS, value: "-kernel inet_dist_listen_min 9100"}, {name: ERL_FLAGS, valueFrom: {configMapKeyRef: {name: flags, key: dist}}}]`,
    "[]",
    9200,
  ],
  [
    "a vm.args mounted by subPath",
    `volumeMounts: [{name: rel, mountPath: /opt/node/releases/1/vm.args, subPath: vm.args}]`,
    "[{name: rel, configMap: {name: flags, items: [{key: vm.args, path: vm.args}]}}]",
    9303,
  ],
  [
    "an -args_file named in ERL_AFLAGS",
    `env: [{name: ERL_AFLAGS, value: "-args_file /etc/node/dist.args"}], volumeMounts: [{name: etc, mountPath: /etc/node}]`,
    "[{name: etc, projected: {sources: [{configMap: {name: flags, items: [{key: dist.args, path: dist.args}]}}]}}]",
    9202,
  ],
  ["the container command", `command: [erl, -kernel, inet_dist_listen_min, 16#23F0, -kernel, inet_dist_listen_max, "9205"]`, "[]", 9201],
];

const audit = (files: Record<string, string>) => auditTree(files, ID);

const failing = (report: AuditReport) =>
  failingFindings(report, (f) => `${f.resource.kind}/${f.resource.namespace}/${f.resource.name} ${f.messageId}`);

/** Every unit's result of the control came from both engines. */
const bothEngines = (report: AuditReport) => report.controls.flatMap((c) => c.results.map((r) => [...r.engines].sort().join(",")));

describe("net-erlang-dist-lockdown finds a distribution range moved where its old reader did not look, by both engines", () => {
  it.each(PLANTED)("through %s", async (_how, container, volumes, port) => {
    const { code, report } = await audit({
      "erlmcp.yaml": LOCKED_DOWN,
      "survivor.yaml": SURVIVOR_DEPLOYMENT,
      "planted.yaml": `${NODE(container, volumes)}---\n${FLAGS}---\n${SCRAPE(port)}`,
    });
    expect(report.inputErrors).toEqual([]);
    expect(report.disagreements).toEqual([]);
    expect(bothEngines(report)).not.toEqual([]);
    expect(new Set(bothEngines(report))).toEqual(new Set(["rego,typescript"]));
    expect(failing(report)).toEqual([`NetworkPolicy/${NS}/scrape distIngressFromNamespaceSelector`]);
    expect(code).toBe(1);
  });

  it("stays silent on a port the VM does not listen on: overridden entries, a commented vm.args line, a range after -extra", async () => {
    const container = `env: [{name: ERL_FLAGS, value: "-kernel inet_dist_listen_min 9400"}, {name: ERL_FLAGS, value: "-kernel inet_dist_listen_min 9100 -extra -kernel inet_dist_listen_min 9400"}]`;
    const { code, report } = await audit({
      "erlmcp.yaml": LOCKED_DOWN,
      "survivor.yaml": SURVIVOR_DEPLOYMENT,
      "planted.yaml": `${NODE(container)}---\n${FLAGS}---\n${SCRAPE(9400)}`,
    });
    expect(report.inputErrors).toEqual([]);
    expect(report.disagreements).toEqual([]);
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
  });
});
