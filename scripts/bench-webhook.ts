/**
 * Load benchmark of `erlmcp-audit serve` (npm run bench:webhook): starts the built CLI on loopback with a
 * self-signed certificate and drives POST /validate with wrk (a separate process) using a mix of Pods,
 * StatefulSets, NetworkPolicies, Roles and RoleBindings taken from the reference deployment.
 *
 *   npm run bench:webhook -- [--duration 30] [--connections 32] [--workers N] [--large-share 0.1 [--large-connections 1]]
 *
 * --large-share f (default 0) makes that fraction of the requests "near the size limit": objects
 * within every request limit (src/admission/limits.ts) but close to the one that binds first, the
 * node count (see the large objects below; JSON field largeObjects). With f > 0 there are two
 * measured phases: (1) one wrk process sends the 20-request mix with exactly f (to 1/1000) of every
 * 1,000 requests large instead (latency of all requests; the large responses are counted by uid);
 * (2) two wrk processes run concurrently, one sending only the small mix (connections - L), the
 * other only large bodies (--large-connections L, default 1): the latency of small requests while
 * large ones are being evaluated, and the large share achieved (large rate / total rate), which
 * depends on how long a large review takes.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { DEFAULT_LIMITS, exceededLimit } from "../src/admission/limits.js";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "30" },
    warmup: { type: "string", default: "5" },
    connections: { type: "string", default: "32" },
    workers: { type: "string", default: String(availableParallelism()) },
    port: { type: "string", default: "18443" },
    "large-share": { type: "string", default: "0" },
    "large-connections": { type: "string", default: "1" },
  },
});
const largeShare = Number(args["large-share"]);
if (!(largeShare >= 0 && largeShare < 1)) throw new Error(`--large-share must be a fraction in [0, 1), not ${args["large-share"]}`);
/** The share as a count per 1,000 requests: the Lua script sends exactly this many large requests in every 1,000. */
const largePerMille = Math.round(largeShare * 1000);
const connections = Number(args.connections);
/** Phase 2: connections of the large-only wrk process (the small-only one gets the rest). */
const largeConnections = Number(args["large-connections"]);
if (largePerMille > 0 && !(largeConnections >= 1 && largeConnections < connections))
  throw new Error("--large-share needs 1 <= --large-connections < --connections (phase 2 splits the connections)");

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
const review = (object: Record<string, any>, i: number | string) =>
  JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: typeof i === "string" ? i : `bench-${i}`,
      kind: { kind: object.kind },
      operation: "CREATE",
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      userInfo: { username: "bench" },
      object,
    },
  });

/**
 * Objects near the size limit. Which limit binds first for a realistic large object: the node count
 * (maxNodes, keys plus array items). A body near maxBodyBytes (6 MiB) cannot be a realistic CREATE:
 * the API server takes bodies up to 3 MiB and etcd stores objects up to 1.5 MiB, so a ConfigMap or
 * Secret with a few huge values stays far below the byte limit. 100 containers or 256 volumes are
 * only a few thousand nodes, so those limits bind first only for pods built with that many, which real
 * workloads are not; depth is fixed by the schema (the reference objects reach 11).
 * What grows a real object to thousands of nodes is lists and maps of small entries: env vars,
 * annotations, ConfigMap data keys. So: (1) the erlmcp Pod with its container's env padded with
 * {name, value} entries (3 nodes each), (2) a ConfigMap with many small data keys (1 node each, about
 * 1 MiB of data, under etcd's limit), each filled to 99% of maxNodes and checked with exceededLimit.
 */
const NODE_TARGET = Math.floor(DEFAULT_LIMITS.maxNodes * 0.99);
const countNodes = (v: unknown): number =>
  typeof v !== "object" || v === null
    ? 0
    : Array.isArray(v)
      ? v.length + v.reduce((n: number, c) => n + countNodes(c), 0)
      : Object.values(v).length + Object.values(v).reduce((n: number, c) => n + countNodes(c), 0);
const largePod = (() => {
  const base = pod(99);
  const spec = structuredClone(base.spec) as Record<string, any>;
  const container = spec.containers[0];
  container.env ??= [];
  const extra = Math.floor((NODE_TARGET - countNodes({ ...base, spec })) / 3);
  for (let i = 0; i < extra; i++) container.env.push({ name: `FEATURE_FLAG_${String(i).padStart(5, "0")}`, value: `enabled-${i % 7}` });
  return { ...base, metadata: { ...base.metadata, name: "erlmcp-large-env" }, spec };
})();
const largeConfigMap = (() => {
  const base = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "erlmcp-routes", namespace: "erlmcp" },
    data: {} as Record<string, string>,
  };
  const extra = NODE_TARGET - countNodes(base);
  for (let i = 0; i < extra; i++) base.data[`route.${String(i).padStart(5, "0")}`] = `tenant-${i % 97}.erlmcp.svc:8080/mcp/v1/tools/${i}`;
  return base;
})();
const large = [largePod, largeConfigMap];
const largeSizes = large.map((object) => {
  const nodes = countNodes(object);
  // The count is exact by the limit check itself: within maxNodes = nodes, over maxNodes = nodes - 1.
  if (exceededLimit(object, DEFAULT_LIMITS) !== undefined || exceededLimit(object, { ...DEFAULT_LIMITS, maxNodes: nodes }) !== undefined)
    throw new Error(`large ${object.kind} is not within the default limits`);
  if (exceededLimit(object, { ...DEFAULT_LIMITS, maxNodes: nodes - 1 }) === undefined)
    throw new Error(`node count of large ${object.kind} is not ${nodes}`);
  const bytes = Buffer.byteLength(review(object, "large-size"));
  return {
    kind: object.kind,
    nodes,
    nodesOfLimit: Number((nodes / DEFAULT_LIMITS.maxNodes).toFixed(3)),
    bodyBytes: bytes,
    bytesOfLimit: Number((bytes / DEFAULT_LIMITS.maxBodyBytes).toFixed(3)),
  };
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
/**
 * A wrk script cycling `small` bodies, with exactly `perMille` of every 1,000 requests taken (evenly
 * spread) from `big`. It counts the responses whose uid marks a large review (uid "large-…") and
 * prints "LARGE_RESPONSES <large> <all>" at the end.
 */
const luaScript = (name: string, small: string[], big: string[], perMille: number) => {
  const file = join(dir, name);
  const table = (bodies: string[]) => `{\n${bodies.map((b) => `[==[${b}]==]`).join(",\n")}\n}`;
  writeFileSync(
    file,
    `local small = ${table(small)}
local big = ${table(big)}
local si, bi, acc = 0, 0, 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  acc = acc + ${perMille}
  if acc >= 1000 then
    acc = acc - 1000
    bi = bi % #big + 1
    return wrk.format(nil, "/validate", nil, big[bi])
  end
  si = si % #small + 1
  return wrk.format(nil, "/validate", nil, small[si])
end
${perMille > 0 && perMille < 1000 ? counting : ""}`,
  );
  return file;
};
/** Counting large responses makes wrk hand every body to Lua; only the mixed script does it, so --large-share 0 runs as before. */
const counting = `local threads = {}
large_done, all_done = 0, 0
setup = function(thread)
  table.insert(threads, thread)
end
response = function(status, headers, body)
  all_done = all_done + 1
  if string.find(body, '"uid":"large-', 1, true) then large_done = large_done + 1 end
end
done = function(summary, latency, requests)
  local l, a = 0, 0
  for _, t in ipairs(threads) do
    l = l + t:get("large_done")
    a = a + t:get("all_done")
  end
  io.write(string.format("LARGE_RESPONSES %d %d\\n", l, a))
end
`;
const smallBodies = mix.map((o, i) => review(o, i));
const largeBodies = large.map((o, i) => review(o, `large-${i}`));
/** The measured mix: the 20 small requests, with --large-share of them replaced by large ones. */
const lua = luaScript("mix.lua", smallBodies, largeBodies, largePerMille);
/** Phase 2: only small, only large. */
const luaSmall = luaScript("small.lua", smallBodies, largeBodies, 0);
const luaLarge = luaScript("large.lua", smallBodies, largeBodies, 1000);

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
    // No config file: serve reads one only with --config (it rejects --no-config since the CLI's per-subcommand options).
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
const wrkArgs = (script: string, conns: number, seconds: string) => [
  "-t1",
  `-c${conns}`,
  `-d${seconds}s`,
  "--latency",
  // wrk leaves a request that times out (default 2 s) out of its latency distribution; a large review under
  // load can take that long, so with --large-share wrk waits past the server's 8 s review timeout instead.
  ...(largePerMille > 0 ? ["--timeout", "10s"] : []),
  "-s",
  script,
  `${url}/validate`,
];
const wrk = (seconds: string) => execFileSync("wrk", wrkArgs(lua, connections, seconds), { encoding: "utf8" });
const wrkAsync = async (script: string, conns: number, seconds: string) =>
  (await promisify(execFile)("wrk", wrkArgs(script, conns, seconds), { encoding: "utf8", maxBuffer: 1 << 24 })).stdout;
const ms = (v?: string) =>
  v === undefined ? NaN : v.endsWith("us") ? parseFloat(v) / 1000 : v.endsWith("ms") ? parseFloat(v) : parseFloat(v) * 1000;
/** What one wrk run reports. */
const summary = (out: string) => {
  const metric = (re: RegExp) => re.exec(out)?.[1];
  return {
    requestsPerSecond: Number(metric(/Requests\/sec:\s+([\d.]+)/)),
    p50ms: ms(metric(/50%\s+([\d.]+\w+)/)),
    p90ms: ms(metric(/90%\s+([\d.]+\w+)/)),
    p99ms: ms(metric(/99%\s+([\d.]+\w+)/)),
    non2xx: Number(metric(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0),
    socketErrors: metric(/Socket errors:\s+(.*)/) ?? "none",
  };
};
try {
  wrk(args.warmup!);
  const load1 = loadavg()[0]!;
  const out = wrk(args.duration!);
  const result: Record<string, unknown> = {
    machine: `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`,
    loadAverageBefore: Number(load1.toFixed(2)),
    workers: Number(args.workers),
    connections,
    durationSeconds: Number(args.duration),
    ...summary(out),
    largeShare: largePerMille / 1000,
  };
  let split = "";
  if (largePerMille > 0) {
    const counted = /LARGE_RESPONSES (\d+) (\d+)/.exec(out);
    result.largeObjects = largeSizes;
    result.largeResponses = Number(counted?.[1]);
    result.allResponses = Number(counted?.[2]);
    result.achievedLargeShare = Number((Number(counted?.[1]) / Number(counted?.[2])).toFixed(4));
    // Phase 2: small only and large only, concurrently, for the same duration.
    const loadSplit = loadavg()[0]!;
    const [smallOut, largeOut] = await Promise.all([
      wrkAsync(luaSmall, connections - largeConnections, args.duration!),
      wrkAsync(luaLarge, largeConnections, args.duration!),
    ]);
    const small = summary(smallOut);
    const big = summary(largeOut);
    result.split = {
      loadAverageBefore: Number(loadSplit.toFixed(2)),
      small: { connections: connections - largeConnections, ...small },
      large: { connections: largeConnections, ...big },
      achievedLargeShare: Number((big.requestsPerSecond / (big.requestsPerSecond + small.requestsPerSecond)).toFixed(4)),
    };
    split = `\n--- split phase: small mix only (${connections - largeConnections} connections) ---\n${smallOut}\n--- split phase: large only (${largeConnections} connections) ---\n${largeOut}`;
  }
  process.stdout.write(`${out}${split}\n${JSON.stringify(result, null, 2)}\n`);
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
