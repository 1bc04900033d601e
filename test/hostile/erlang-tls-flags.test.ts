/**
 * tls-erlang-dist and tls-dist-cert-names read an Erlang node's TLS flags as the VM does (in its order,
 * each part cut at -extra, -args_file read in place, ELIXIR_ERL_OPTIONS included, a sys.config holding no
 * flags). Spellings the old reader took for TLS, though the VM reads them as plain arguments or not at
 * all, are planted beside the TLS-distributed erlmcp manifest and a cert-named node, then audited through
 * the CLI with the Rego (wasm) and TypeScript engines: each leaves distribution in plain TCP and is found
 * by both engines, with no disagreement. TLS set through ELIXIR_ERL_OPTIONS or an -args_file passes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree, failingFindings } from "../helpers/audit-tree.js";
import { engineFindings } from "../helpers/engine-findings.js";
import { SURVIVOR_DEPLOYMENT } from "../helpers/tmp.js";

const IDS = ["tls-erlang-dist", "tls-dist-cert-names"] as const;
const GOOD = {
  "erlmcp.yaml": readFileSync(join(PACKAGE_ROOT, "fixtures", "tls-erlang-dist", "pass.erlmcp-tls-dist.yaml"), "utf8"),
  "cert-names.yaml": readFileSync(join(PACKAGE_ROOT, "fixtures", "tls-dist-cert-names", "pass.issued-secret-names.yaml"), "utf8"),
  "survivor.yaml": SURVIVOR_DEPLOYMENT,
};
const NS = "planted";
const TLS = "-proto_dist inet_tls -ssl_dist_optfile /etc/node/ssl_dist.conf";

/** An Erlang node StatefulSet in {@link NS} with the given container fields, mounting ConfigMap `rel` at /etc/node. */
const NODE = (container: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: node, namespace: ${NS}}
spec:
  serviceName: node-headless
  selector: {matchLabels: {app: node}}
  template:
    metadata: {labels: {app: node}}
    spec:
      volumes:
        - {name: rel, configMap: {name: rel}}
        - {name: tls, secret: {secretName: node-tls}}
      containers:
        - name: node
          image: example/node:1.0
          ports: [{name: epmd, containerPort: 4369}]
          volumeMounts: [{name: rel, mountPath: /etc/node}, {name: tls, mountPath: /etc/node-tls}]
          ${container}
`;

/** The files ConfigMap `rel` holds (every key is mounted); `vm.args` and `sys.config` only when given. */
const REL = (vmArgs?: string, sysConfig?: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: rel, namespace: ${NS}}
data:
${vmArgs === undefined ? "" : `  vm.args: ${JSON.stringify(vmArgs)}\n`}${sysConfig === undefined ? "" : `  sys.config: ${JSON.stringify(sysConfig)}\n`}  after-extra.args: ${JSON.stringify(`-name node@node-0.node-headless\n-extra\n${TLS}\n`)}
  dist.args: ${JSON.stringify(`# TLS distribution\n${TLS}\n-name node@node-0.node-headless.${NS}.svc\n`)}
  ssl_dist.conf: ${JSON.stringify(`[{server, [{certfile, "/etc/node-tls/tls.crt"}, {keyfile, "/etc/node-tls/tls.key"}]},\n {client, [{cacertfile, "/etc/node-tls/ca.crt"}, {verify, verify_peer}]}].\n`)}
  lax.conf: ${JSON.stringify(`[{server, [{certfile, "/etc/node-tls/tls.crt"}]}, {client, [{verify, verify_none}]}].\n`)}
`;

/** The certificate cert-manager issued for the node: it names node-0.node-headless.planted.svc only. */
const CERT = `apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: node-tls
  namespace: ${NS}
  annotations: {cert-manager.io/alt-names: "node-0.node-headless.${NS}.svc", cert-manager.io/ip-sans: ""}
`;

const env = (name: string, value: string) => `env: [{name: ${name}, value: ${JSON.stringify(value)}}]`;

/** Spellings of TLS distribution the VM does not read as flags: [how, container fields, vm.args, sys.config]. */
const PLAINTEXT: Array<[string, string, string?, string?]> = [
  ["the args after -extra", `args: [foreground, -extra, ${TLS.split(" ").join(", ")}]`],
  ["the command after -extra", `command: [erl, -extra, ${TLS.split(" ").join(", ")}]`],
  ["ERL_FLAGS after -extra", env("ERL_FLAGS", `-name node -extra ${TLS}`)],
  ["ERL_AFLAGS after -extra", env("ERL_AFLAGS", `-extra ${TLS}`)],
  ["ERL_ZFLAGS after -extra", env("ERL_ZFLAGS", `-extra ${TLS}`)],
  ["ELIXIR_ERL_OPTIONS after -extra", env("ELIXIR_ERL_OPTIONS", `-extra ${TLS}`)],
  ["a mounted vm.args after -extra", "args: [foreground]", `-name node@node-0\n-extra\n${TLS}\n`],
  ["an -args_file that puts them after -extra", "args: [foreground, -args_file, /etc/node/after-extra.args]"],
  // The node takes -proto_dist only when it occurs exactly once (init:get_argument(proto_dist) =:= {ok, [Protos]}).
  ["-proto_dist twice in one variable", env("ERL_FLAGS", `${TLS} -proto_dist inet_tls`)],
  [
    "-proto_dist in ERL_AFLAGS and again in ERL_FLAGS",
    `env: [{name: ERL_AFLAGS, value: "-proto_dist inet_tls"}, {name: ERL_FLAGS, value: ${JSON.stringify(TLS)}}]`,
  ],
  ["-proto_dist in the mounted vm.args and again in the args", `args: [foreground, -proto_dist, inet_tls]`, `${TLS}\n`],
  [
    "-proto_dist in ELIXIR_ERL_OPTIONS and again in an -args_file",
    `args: [foreground, -args_file, /etc/node/dist.args]\n          ${env("ELIXIR_ERL_OPTIONS", "-proto_dist inet_tls")}`,
  ],
  // A listener is started for every protocol -proto_dist names.
  ["-proto_dist inet_tls inet_tcp", env("ERL_FLAGS", "-proto_dist inet_tls inet_tcp -ssl_dist_optfile /etc/node/ssl_dist.conf")],
  [
    "-proto_dist inet6_tls inet_tls inet_tcp in the args",
    `args: [foreground, -proto_dist, inet6_tls, inet_tls, inet_tcp, -ssl_dist_optfile, /etc/node/ssl_dist.conf]`,
  ],
  [
    "-proto_dist inet_tls split across ERL_AFLAGS and ERL_FLAGS",
    `env: [{name: ERL_AFLAGS, value: "-proto_dist"}, {name: ERL_FLAGS, value: "inet_tls -ssl_dist_optfile /etc/node/ssl_dist.conf"}]`,
  ],
  // Each element of command/args is one argv element: exec'd directly it is one argument, not the flag.
  ['one argv element "-proto_dist inet_tls"', `args: [foreground, "-proto_dist inet_tls", "-ssl_dist_optfile /etc/node/ssl_dist.conf"]`],
  [
    "one command element beside TLS in ERL_FLAGS (a re-splitting script reads it twice)",
    `command: [/opt/node/bin/node, "foreground -proto_dist inet_tls"]\n          ${env("ERL_FLAGS", TLS)}`,
  ],
  [
    "a tab inside an ERL_FLAGS value, where erlexec splits on spaces only",
    env("ERL_FLAGS", "-proto_dist\tinet_tls -ssl_dist_optfile /etc/node/ssl_dist.conf"),
  ],
  [
    "a sh -c script whose positional arguments may add -proto_dist inet_tcp",
    `command: [sh, -c, "exec /opt/node/bin/node foreground \\"$@\\"", sh, "${TLS}", "-proto_dist inet_tcp"]`,
  ],
  // The elixir script expands ELIXIR_ERL_OPTIONS unquoted: the shell keeps the quotes in the word erl receives.
  [
    "ELIXIR_ERL_OPTIONS with a quoted protocol",
    env("ELIXIR_ERL_OPTIONS", `-proto_dist "inet_tls" -ssl_dist_optfile /etc/node/ssl_dist.conf`),
  ],
  // erlexec reads ERL_OTP<release>_FLAGS (undocumented) of its own release before every other part.
  [
    "-proto_dist inet_tcp in ERL_OTP27_FLAGS beside TLS in ERL_FLAGS",
    `env: [{name: ERL_OTP27_FLAGS, value: "-proto_dist inet_tcp"}, {name: ERL_FLAGS, value: ${JSON.stringify(TLS)}}]`,
  ],
  ["TLS only in ERL_OTP27_FLAGS (a VM of another release reads none of it)", env("ERL_OTP27_FLAGS", TLS)],
  ["ERL_OTP26_FLAGS after -extra", env("ERL_OTP26_FLAGS", `-extra ${TLS}`)],
  [
    "a mounted sys.config, which holds no flags",
    "args: [foreground]",
    undefined,
    `%% run with ${TLS}\n[{kernel, [{inet_dist_listen_min, 9100}]}].\n`,
  ],
];

const audit = (planted: string) => auditTree({ ...GOOD, "planted.yaml": planted }, IDS);

const failing = (report: AuditReport) =>
  failingFindings(report, (f) => `${f.controlId} ${f.resource.kind}/${f.resource.namespace}/${f.resource.name} ${f.messageId}`);

/** Every unit's result of each control came from both engines. */
const bothEngines = (report: AuditReport) =>
  report.controls.flatMap((c) => c.results.map((r) => `${c.id} ${[...r.engines].sort().join(",")}`)).sort();

/** The findings of each engine on the planted text alone, as `control Kind/ns/name messageId`. */
const perEngine = engineFindings(IDS, (v, id) => `${id} ${v.resource.kind}/${v.resource.namespace}/${v.resource.name} ${v.messageId}`);

/** Audits the planted text beside the good manifests: `expected` failing findings from both engines, no disagreement. */
async function expectFindings(planted: string, expected: string[]) {
  const { code, report } = await audit(planted);
  expect(report.inputErrors).toEqual([]);
  expect(report.disagreements).toEqual([]);
  expect(bothEngines(report)).not.toEqual([]);
  expect(new Set(bothEngines(report))).toEqual(new Set(IDS.map((id) => `${id} rego,typescript`)));
  expect(failing(report)).toEqual(expected);
  expect(code).toBe(expected.length > 0 ? 1 : 0);
  expect(await perEngine(planted)).toEqual({ rego: expected, typescript: expected });
}

describe("the TLS controls read no TLS flag the VM does not, by both engines", () => {
  it.each(PLAINTEXT)("TLS in %s leaves distribution in plain TCP", async (_how, container, vmArgs, sysConfig) => {
    await expectFindings(`${NODE(container)}---\n${REL(vmArgs, sysConfig)}`, [`tls-erlang-dist StatefulSet/${NS}/node distNotEncrypted`]);
  });

  it("an -ssl_dist_optfile after -extra names no options file", async () => {
    await expectFindings(
      `${NODE(env("ERL_FLAGS", `-proto_dist inet_tls -extra -ssl_dist_optfile /etc/node/ssl_dist.conf`))}---\n${REL()}`,
      [`tls-erlang-dist StatefulSet/${NS}/node sslDistOptfileMissing`],
    );
  });

  it("a port the sys.config makes a distribution port is one a STRICT policy must not weaken", async () => {
    const pa = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: node, namespace: ${NS}}
spec:
  selector: {matchLabels: {app: node}}
  mtls: {mode: STRICT}
  portLevelMtls: {9201: {mode: DISABLE}}
`;
    const pinned = "[{kernel, [{inet_dist_listen_min, 9200}, {inet_dist_listen_max, 9201}]}].\n";
    await expectFindings(`${NODE("args: [foreground]")}---\n${REL(undefined, pinned)}---\n${pa}`, [
      `tls-erlang-dist StatefulSet/${NS}/node mtlsPortWeakened`,
    ]);
  });

  it("the certificate is judged against the name and options file an -args_file gives, not those after -extra", async () => {
    const uncovered = `${TLS} -name node@node-0.elsewhere -extra -ssl_dist_optfile /etc/node/lax.conf -name node@x`;
    await expectFindings(`${NODE(env("ERL_FLAGS", uncovered))}---\n${REL()}---\n${CERT}`, [
      `tls-dist-cert-names StatefulSet/${NS}/node nodeNameNotCovered`,
    ]);
    // The first -name names the node (erl_distribution): here the one before the file's.
    const viaArgsFile = `args: [foreground, -name, node@node-0.elsewhere, -args_file, /etc/node/dist.args]`;
    await expectFindings(`${NODE(viaArgsFile)}---\n${REL()}---\n${CERT}`, [
      `tls-dist-cert-names StatefulSet/${NS}/node nodeNameNotCovered`,
    ]);
  });

  it("judges the node name the VM takes: the first -sname, else the first -name, not a later one", async () => {
    const names = `${TLS} -name node@node-0.node-headless.${NS}.svc -name node@node-0.elsewhere`;
    await expectFindings(`${NODE(env("ERL_FLAGS", names))}---\n${REL()}---\n${CERT}`, []);
    const reversed = `${TLS} -name node@node-0.elsewhere -name node@node-0.node-headless.${NS}.svc`;
    await expectFindings(`${NODE(env("ERL_FLAGS", reversed))}---\n${REL()}---\n${CERT}`, [
      `tls-dist-cert-names StatefulSet/${NS}/node nodeNameNotCovered`,
    ]);
  });

  it("judges no certificate of a node given -ssl_dist_optfile twice (ssl_dist_sup refuses it: the node does not boot)", async () => {
    const twice = `${TLS} -ssl_dist_optfile /etc/node/lax.conf -name node@node-0.elsewhere`;
    await expectFindings(`${NODE(env("ERL_FLAGS", twice))}---\n${REL()}---\n${CERT}`, []);
  });

  it.each([
    ["-proto_dist inet6_tls given once", env("ERL_FLAGS", TLS.replace("inet_tls", "inet6_tls")), undefined],
    ["a sh -c script (word-split by the shell)", `command: [/bin/sh, -c, "exec /opt/node/bin/node foreground ${TLS}"]`, undefined],
    [
      "a bash -ec script with quotes",
      `command: [bash, -ec, "exec erl -proto_dist 'inet_tls' -ssl_dist_optfile \\"/etc/node/ssl_dist.conf\\""]`,
      undefined,
    ],
    ["ELIXIR_ERL_OPTIONS", env("ELIXIR_ERL_OPTIONS", TLS), undefined],
    ["an -args_file in the args", "args: [foreground, -args_file, /etc/node/dist.args]", undefined],
    ["an -args_file a mounted vm.args names", "args: [foreground]", "-args_file /etc/node/dist.args\n"],
  ] as Array<[string, string, string | undefined]>)("passes TLS set through %s", async (_how, container, vmArgs) => {
    await expectFindings(`${NODE(container)}---\n${REL(vmArgs)}---\n${CERT}`, []);
  });
});
