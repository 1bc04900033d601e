/**
 * net-erlang-dist-lockdown reads an Erlang node's distribution port range as the VM does: a workload
 * that moves its range where the control's old regex did not look (ERL_ZFLAGS, a later env entry read
 * from a ConfigMap, a mounted vm.args, an -args_file, the container command) and opens it to another namespace is
 * planted beside the locked-down erlmcp manifest and a plain Deployment, then audited through the CLI
 * with the Rego (wasm) and TypeScript engines: the opened range is found by both, with no disagreement.
 * The range is read from the same parsed command line as the TLS flags (flagReadings): command and args
 * are one argv cut at its first -extra, an argv element is one argument (and, re-split by a script, several),
 * a quoted value is no integer when exec'd directly, a variable's tab separates words in newer erlexec
 * releases only, and of two -kernel settings the VM may take either (OTP 25: the first, or the last where a
 * sys.config sets the parameter). Where the VM may listen on the fallback range 9100-9105 or on either of
 * two ranges, each is read as a distribution port.
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

/** Ways to move the distribution range (to 9200-9205, 9300-9305 for vm.args, or back to 9100-9105) that the old reader misread. */
const PLANTED: Array<[string, string, string, number]> = [
  [
    "ERL_ZFLAGS beside a min in the args",
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
  // Where the old reader saw a range the VM does not pin: the node listens on the fallback 9100-9105.
  [
    "args after the command's -extra (one argv, no flag after its first -extra)",
    `command: [erl, -extra], args: [-kernel, inet_dist_listen_min, "9200", inet_dist_listen_max, "9205"]`,
    "[]",
    9100,
  ],
  [
    "args after the -extra of a sh -c script",
    `command: [sh, -c, 'exec erl -extra "$@"'], args: [sh, -kernel, inet_dist_listen_min, "9200"]`,
    "[]",
    9101,
  ],
  [
    'one args element "-kernel inet_dist_listen_min 9200 ..." (one plain argument when exec\'d directly)',
    `args: [foreground, "-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9205"]`,
    "[]",
    9102,
  ],
  [
    "a quoted value in the args (an atom, not a port, when exec'd directly)",
    `args: [foreground, -kernel, inet_dist_listen_min, "'9200'"]`,
    "[]",
    9103,
  ],
  [
    "a tab inside an ERL_FLAGS value (a word separator in newer erlexec releases only)",
    `env: [{name: ERL_FLAGS, value: ${JSON.stringify("-kernel\tinet_dist_listen_min 9200")}}]`,
    "[]",
    9104,
  ],
  // erlexec reads ERL_OTP<release>_FLAGS (undocumented) of its own release before every other part, so its -kernel comes first.
  ["ERL_OTP27_FLAGS", `env: [{name: ERL_OTP27_FLAGS, value: "-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9205"}]`, "[]", 9202],
  [
    "ERL_OTP25_FLAGS before a range in the args",
    `args: [foreground, -kernel, inet_dist_listen_min, "9100"], env: [{name: ERL_OTP25_FLAGS, value: "-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9205"}]`,
    "[]",
    9205,
  ],
  // Of two -kernel settings OTP 25 takes the first (the args), not ERL_FLAGS' later one.
  [
    "the args before a range in ERL_FLAGS",
    `args: [foreground, -kernel, inet_dist_listen_min, "9200", inet_dist_listen_max, "9205"], env: [{name: ERL_FLAGS, value: "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9105"}]`,
    "[]",
    9203,
  ],
];

/** Ranges the VM does not listen on: [how, container fields, the port the monitoring namespace scrapes]. */
const SILENT: Array<[string, string, number]> = [
  [
    "overridden entries, a commented vm.args line, a range after -extra",
    `env: [{name: ERL_FLAGS, value: "-kernel inet_dist_listen_min 9400"}, {name: ERL_FLAGS, value: "-kernel inet_dist_listen_min 9100 -extra -kernel inet_dist_listen_min 9400"}]`,
    9400,
  ],
  [
    "args after the command's -extra, the range before it",
    `command: [erl, -kernel, inet_dist_listen_min, "9200", inet_dist_listen_max, "9205", -extra], args: [-kernel, inet_dist_listen_min, "9100"]`,
    9100,
  ],
  // erlexec cuts each variable at its own -extra and goes on with the next part.
  [
    "a range in the command after ERL_AFLAGS' -extra",
    `command: [erl, -kernel, inet_dist_listen_min, "9200"], env: [{name: ERL_AFLAGS, value: "-extra"}]`,
    9100,
  ],
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

  it.each(SILENT)("stays silent on a port the VM does not listen on: %s", async (_how, container, port) => {
    const { code, report } = await audit({
      "erlmcp.yaml": LOCKED_DOWN,
      "survivor.yaml": SURVIVOR_DEPLOYMENT,
      "planted.yaml": `${NODE(container)}---\n${FLAGS}---\n${SCRAPE(port)}`,
    });
    expect(report.inputErrors).toEqual([]);
    expect(report.disagreements).toEqual([]);
    expect(new Set(bothEngines(report))).toEqual(new Set(["rego,typescript"]));
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
  });
});
