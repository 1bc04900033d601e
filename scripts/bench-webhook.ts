/**
 * Load benchmark of `erlmcp-audit serve` (npm run bench:webhook): starts the built CLI on loopback with a
 * self-signed certificate and drives POST /validate with wrk (a separate process) using a mix of Pods,
 * StatefulSets, NetworkPolicies, Roles and RoleBindings taken from the reference deployment.
 *
 *   npm run bench:webhook -- [--duration 30] [--connections 32] [--workers N]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseAllDocuments } from "yaml";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "30" },
    warmup: { type: "string", default: "5" },
    connections: { type: "string", default: "32" },
    workers: { type: "string", default: String(availableParallelism()) },
    port: { type: "string", default: "18443" },
  },
});

const ROOT = new URL("..", import.meta.url).pathname;
const load = (file: string) =>
  parseAllDocuments(readFileSync(join(ROOT, "manifests/standalone", file), "utf8"))
    .map((d) => d.toJS() as Record<string, any>)
    .filter(Boolean);
const objects = [...load("workload.yaml"), ...load("networkpolicy.yaml"), ...load("rbac.yaml")];
const of = (kind: string) => objects.filter((o) => o.kind === kind);
const sts = of("StatefulSet")[0]!;
const pod = (i: number) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { ...sts.spec.template.metadata, name: `erlmcp-${i}`, namespace: "erlmcp" },
  spec: sts.spec.template.spec,
});
const badPod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "debug", namespace: "erlmcp" },
  spec: { hostNetwork: true, containers: [{ name: "sh", image: "busybox:latest" }] },
};
const wildcardRole = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "Role",
  metadata: { name: "too-much", namespace: "erlmcp" },
  rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
};

/** 20 requests: 8 Pods (1 denied), 2 StatefulSets, 4 NetworkPolicies, 3 Roles (1 denied), 3 RoleBindings. */
const mix = [
  ...[0, 1, 2, 3, 4, 5, 6].map(pod),
  badPod,
  sts,
  { ...sts, metadata: { ...sts.metadata, name: "erlmcp-b" } },
  ...of("NetworkPolicy").slice(0, 4),
  ...of("Role"),
  ...of("Role"),
  wildcardRole,
  ...of("RoleBinding"),
  ...of("RoleBinding"),
  ...of("RoleBinding"),
];
const review = (object: Record<string, any>, i: number) =>
  JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: `bench-${i}`,
      kind: { kind: object.kind },
      operation: "CREATE",
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      userInfo: { username: "bench" },
      object,
    },
  });

const dir = mkdtempSync(join(tmpdir(), "erlmcp-audit-bench-"));
const cert = join(dir, "cert.pem");
const key = join(dir, "key.pem");
execFileSync(
  "openssl",
  [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "1",
    "-keyout",
    key,
    "-out",
    cert,
    "-subj",
    "/CN=localhost",
  ],
  { stdio: "ignore" },
);
const lua = join(dir, "mix.lua");
writeFileSync(
  lua,
  `local bodies = {\n${mix.map((o, i) => `[==[${review(o, i)}]==]`).join(",\n")}\n}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/validate", nil, bodies[i])
end
`,
);

const port = args.port!;
const server = spawn(
  process.execPath,
  [
    join(ROOT, "bin/erlmcp-audit.js"),
    "serve",
    "--tls-cert",
    cert,
    "--tls-key",
    key,
    "--port",
    port,
    "--host",
    "127.0.0.1",
    "--workers",
    args.workers!,
    "--no-config",
    "--shutdown-delay",
    "0",
  ],
  { stdio: ["ignore", "ignore", "inherit"] },
);
const url = `https://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    execFileSync("curl", ["-skf", `${url}/readyz`], { stdio: "ignore" });
    break;
  } catch {
    if (i > 100) throw new Error("the server did not become ready");
    await new Promise((r) => setTimeout(r, 200));
  }
}
const wrk = (seconds: string) =>
  execFileSync("wrk", ["-t1", `-c${args.connections}`, `-d${seconds}s`, "--latency", "-s", lua, `${url}/validate`], { encoding: "utf8" });
try {
  wrk(args.warmup!);
  const load1 = loadavg()[0]!;
  const out = wrk(args.duration!);
  const metric = (re: RegExp) => re.exec(out)?.[1];
  const ms = (v?: string) =>
    v === undefined ? NaN : v.endsWith("us") ? parseFloat(v) / 1000 : v.endsWith("ms") ? parseFloat(v) : parseFloat(v) * 1000;
  const result = {
    machine: `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`,
    loadAverageBefore: Number(load1.toFixed(2)),
    workers: Number(args.workers),
    connections: Number(args.connections),
    durationSeconds: Number(args.duration),
    requestsPerSecond: Number(metric(/Requests\/sec:\s+([\d.]+)/)),
    p50ms: ms(metric(/50%\s+([\d.]+\w+)/)),
    p90ms: ms(metric(/90%\s+([\d.]+\w+)/)),
    p99ms: ms(metric(/99%\s+([\d.]+\w+)/)),
    non2xx: Number(metric(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0),
    socketErrors: metric(/Socket errors:\s+(.*)/) ?? "none",
  };
  process.stdout.write(`${out}\n${JSON.stringify(result, null, 2)}\n`);
  const metrics = execFileSync("curl", ["-sk", `${url}/metrics`], { encoding: "utf8" });
  process.stdout.write(
    metrics
      .split("\n")
      .filter((l) => l.startsWith("erlmcp_audit_admission_decisions_total"))
      .join("\n") + "\n",
  );
  // The server's own view (request received → response written, warm-up included): the bucket holding the 99th percentile.
  const buckets = [...metrics.matchAll(/_review_duration_seconds_bucket\{le="([^"]+)"\} (\d+)/g)].map(
    (m) => [m[1]!, Number(m[2])] as const,
  );
  const total = buckets.at(-1)?.[1] ?? 0;
  process.stdout.write(`server-side p99 <= ${buckets.find(([, count]) => count >= total * 0.99)?.[0]} s over ${total} reviews\n`);
} finally {
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
