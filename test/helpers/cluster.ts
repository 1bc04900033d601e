/**
 * A real API server for a test file: scripts/test-cluster.sh started in beforeAll, stopped in afterAll,
 * and a small HTTPS client authenticated as a cluster admin (client certificate in system:masters).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { dirname, join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { K8sObject } from "../../src/types.js";
import { creatable, isExampleGroup, publishedCrds, type PublishedCrd } from "./published-crds.js";

const SCRIPT = join(PACKAGE_ROOT, "scripts", "test-cluster.sh");

/** Set in CI: a missing etcd or kube-apiserver fails the cluster tests instead of skipping them. */
export const REQUIRE_CLUSTER_ENV = "ERLMCP_AUDIT_REQUIRE_CLUSTER";

/** One response of the API server. */
export interface ApiReply {
  status: number;
  /** The parsed JSON body (a Status object on errors). */
  body: any;
  /** The `Warning` headers' texts (admission warnings among them), unquoted. */
  warnings: string[];
}

/** Options of a write. */
export interface WriteOptions {
  /** `dryRun=All`: admission runs, nothing is stored. */
  dryRun?: boolean;
  /** `fieldValidation=Strict` (kubectl's default): an unknown or duplicate field is an error, not a warning. */
  strict?: boolean;
}

/** A running test cluster and a client for it. */
export interface TestCluster {
  /** The folder holding certificates, logs and the kubeconfig. */
  dir: string;
  kubeconfig: string;
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** PEM file of the cluster CA; it signed the API server's and the webhook's serving certificates. */
  caFile: string;
  /** A serving certificate and key for 127.0.0.1/localhost, signed by the cluster CA (for a webhook under test). */
  webhookCert: string;
  webhookKey: string;
  /**
   * kube-controller-manager runs (it is installed) with the ClusterRole aggregation and the
   * ValidatingAdmissionPolicy status (type checking) controllers.
   */
  controllerManager: boolean;
  /** One request; `body` is sent as JSON unless `contentType` says otherwise. */
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiReply>;
  /** Server-side apply (`kubectl apply --server-side --force-conflicts`). */
  apply(object: K8sObject, options?: WriteOptions): Promise<ApiReply>;
  /** POST to the object's collection (`kubectl create`). */
  create(object: K8sObject, options?: WriteOptions): Promise<ApiReply>;
  /** The REST path of an object (its collection when `collection`), found through API discovery. */
  pathOf(object: K8sObject, collection?: boolean): Promise<string>;
  /**
   * Makes every custom kind among objects servable by creating its project's published CRD (pinned in
   * scripts/engines/crds.lock), so the API server validates the objects against the real schema. Throws
   * naming the kind when no published CRD is pinned for it or the pinned one does not serve its version.
   * Only fictional kinds in groups under the example domains (example.com) get an open-schema CRD.
   */
  serveKinds(objects: K8sObject[]): Promise<void>;
  /** Creates (server-side applies) the namespaces objects live in, and the extra ones named. */
  createNamespaces(objects: K8sObject[], extra?: string[]): Promise<void>;
  /**
   * What objects need before the API server admits them: their namespaces (and the extra ones named),
   * the PriorityClasses among them (the Priority admission plugin rejects a Pod naming an unknown
   * one) and the published CRDs of their custom kinds (serveKinds).
   */
  prepareFor(objects: K8sObject[], extraNamespaces?: string[]): Promise<void>;
}

/** True when etcd and kube-apiserver are installed (engine cache or PATH). */
export function clusterBinariesPresent(): boolean {
  try {
    execFileSync("bash", [SCRIPT, "binaries"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether this file's cluster tests run. Without the binaries they are skipped with a loud message,
 * unless ERLMCP_AUDIT_REQUIRE_CLUSTER is set (CI): then they run and fail on the missing binaries.
 */
export function clusterTestsEnabled(what: string): boolean {
  if (clusterBinariesPresent() || process.env[REQUIRE_CLUSTER_ENV]) return true;
  console.warn(
    `\n!!! SKIPPED: ${what} needs etcd and kube-apiserver (scripts/install-engines.sh --cluster). ` +
      `Set ${REQUIRE_CLUSTER_ENV}=1 to make their absence a failure.\n`,
  );
  return false;
}

/**
 * For a test that needs kube-controller-manager: true when it runs; otherwise false after a loud
 * message, or an error when ERLMCP_AUDIT_REQUIRE_CLUSTER is set.
 */
export function controllerManagerRuns(cluster: TestCluster, what: string): boolean {
  if (cluster.controllerManager) return true;
  if (process.env[REQUIRE_CLUSTER_ENV]) throw new Error(`${what} needs kube-controller-manager (scripts/install-engines.sh --cluster)`);
  console.warn(`\n!!! SKIPPED: ${what} needs kube-controller-manager (scripts/install-engines.sh --cluster).\n`);
  return false;
}

/** Starts a cluster before this file's tests and stops it after them; the getter returns it once started. */
export function useTestCluster(): () => TestCluster {
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await startTestCluster();
  }, 180_000);
  afterAll(() => {
    if (cluster) stopTestCluster(cluster);
  });
  return () => {
    if (!cluster) throw new Error("the test cluster is not started (beforeAll failed?)");
    return cluster;
  };
}

/** Starts etcd and kube-apiserver through scripts/test-cluster.sh; rejects with the script's error (log tails). */
export async function startTestCluster(): Promise<TestCluster> {
  let kubeconfig: string;
  try {
    kubeconfig = execFileSync("bash", [SCRIPT, "start"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`scripts/test-cluster.sh start failed:\n${e.stderr || e.message}`);
  }
  const dir = dirname(kubeconfig);
  const env = readFileSync(join(dir, "cluster.env"), "utf8");
  const server = /^SERVER=(.*)$/m.exec(env)![1]!;
  return clusterClient(dir, kubeconfig, server, /^CONTROLLER_MANAGER=1$/m.test(env));
}

/** Stops the cluster's processes and removes its folder. */
export function stopTestCluster(cluster: TestCluster): void {
  execFileSync("bash", [SCRIPT, "stop", cluster.dir], { stdio: "inherit" });
}

function clusterClient(dir: string, kubeconfig: string, server: string, controllerManager: boolean): TestCluster {
  const tls = {
    ca: readFileSync(join(dir, "ca.crt")),
    cert: readFileSync(join(dir, "admin.crt")),
    key: readFileSync(join(dir, "admin.key")),
  };
  const base = new URL(server);
  const send = (method: string, path: string, body?: unknown, contentType = "application/json"): Promise<ApiReply> =>
    new Promise((resolve, reject) => {
      const req = request({ host: base.hostname, port: base.port, path, method, ...tls, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON (e.g. /readyz): the text itself.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, warnings: warningTexts(res.headers.warning) });
        });
      });
      req.on("error", reject);
      req.setHeader("accept", "application/json");
      if (body !== undefined) req.setHeader("content-type", contentType);
      req.end(body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body));
    });

  const resources = new Map<string, { plural: string; namespaced: boolean }>();
  const prefixOf = (apiVersion: string) => (apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
  const discover = async (apiVersion: string) => {
    const reply = await send("GET", prefixOf(apiVersion));
    if (reply.status === 404) return false;
    if (reply.status !== 200) throw new Error(`discovery of ${apiVersion} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    for (const r of reply.body.resources as Array<{ name: string; kind: string; namespaced: boolean }>)
      if (!r.name.includes("/")) resources.set(`${apiVersion} ${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    return true;
  };
  const served = async (apiVersion: string, kind: string) =>
    resources.has(`${apiVersion} ${kind}`) || ((await discover(apiVersion)) && resources.has(`${apiVersion} ${kind}`));
  const pathOf = async (object: K8sObject, collection = false) => {
    const apiVersion = String(object.apiVersion);
    const prefix = prefixOf(apiVersion);
    await served(apiVersion, String(object.kind));
    const found = resources.get(`${apiVersion} ${object.kind}`);
    if (!found) throw new Error(`the API server does not serve ${object.kind} in ${apiVersion}`);
    const namespace = object.metadata?.namespace ?? "default";
    const scope = found.namespaced ? `/namespaces/${namespace}` : "";
    return `${prefix}${scope}/${found.plural}${collection ? "" : `/${object.metadata?.name}`}`;
  };
  const query = (options: WriteOptions, extra: string[] = []) => {
    const params = [...extra, ...(options.dryRun ? ["dryRun=All"] : []), ...(options.strict ? ["fieldValidation=Strict"] : [])];
    return params.length ? `?${params.join("&")}` : "";
  };

  const client: TestCluster = {
    dir,
    kubeconfig,
    server,
    caFile: join(dir, "ca.crt"),
    webhookCert: join(dir, "webhook.crt"),
    webhookKey: join(dir, "webhook.key"),
    controllerManager,
    request: send,
    pathOf,
    apply: async (object, options = {}) =>
      send(
        "PATCH",
        `${await pathOf(object)}${query(options, ["fieldManager=erlmcp-audit-test", "force=true"])}`,
        object,
        "application/apply-patch+yaml",
      ),
    create: async (object, options = {}) => send("POST", `${await pathOf(object, true)}${query(options)}`, object),
    createNamespaces: async (objects, extra = []) => {
      const names = new Set(extra);
      for (const o of objects) if (o.metadata?.namespace) names.add(o.metadata.namespace);
      for (const name of [...names].sort()) {
        const reply = await send(
          "PATCH",
          `/api/v1/namespaces/${name}?fieldManager=erlmcp-audit-test&force=true`,
          { apiVersion: "v1", kind: "Namespace", metadata: { name } },
          "application/apply-patch+yaml",
        );
        if (reply.status >= 300) throw new Error(`creating namespace ${name} failed: ${JSON.stringify(reply.body)}`);
      }
    },
    serveKinds: async (objects) => {
      const missing = new Map<string, { group: string; kind: string; versions: Set<string> }>();
      for (const o of objects) {
        const apiVersion = String(o.apiVersion);
        if (!apiVersion.includes("/") || (await served(apiVersion, String(o.kind)))) continue;
        const [group, version] = apiVersion.split("/") as [string, string];
        const key = `${group} ${o.kind}`;
        if (!missing.has(key)) missing.set(key, { group, kind: String(o.kind), versions: new Set() });
        missing.get(key)!.versions.add(version);
      }
      for (const { group, kind, versions } of missing.values()) {
        const crd = isExampleGroup(group) ? openSchemaCrd(group, kind, versions) : creatable(publishedCrdServing(group, kind, versions));
        const reply = await send("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        if (reply.status !== 201) throw new Error(`creating the CRD of ${group}/${kind} failed: ${JSON.stringify(reply.body)}`);
      }
      for (const { group, kind, versions } of missing.values())
        for (const version of versions) await waitFor(() => served(`${group}/${version}`, kind), `${group}/${version} ${kind} served`);
    },
    prepareFor: async (objects, extraNamespaces = []) => {
      await client.createNamespaces(objects, extraNamespaces);
      for (const o of objects.filter((x) => x.kind === "PriorityClass")) {
        const reply = await client.apply(o);
        if (reply.status >= 300) throw new Error(`creating PriorityClass ${o.metadata?.name} failed: ${JSON.stringify(reply.body)}`);
      }
      await client.serveKinds(objects);
    },
  };
  return client;
}

/** The pinned published CRD of group/kind; throws unless one is pinned and it serves every version asked for. */
function publishedCrdServing(group: string, kind: string, versions: Set<string>): PublishedCrd {
  const published = publishedCrds().get(`${group}/${kind}`);
  if (!published)
    throw new Error(
      `no published CRD is pinned for ${group}/${kind}: add its project's CRD file to scripts/engines/crds.lock ` +
        "(the test cluster validates custom kinds against their real schemas, never an open one)",
    );
  const servedVersions = published.crd.spec.versions.filter((v) => v.served).map((v) => v.name);
  for (const version of versions)
    if (!servedVersions.includes(version))
      throw new Error(
        `the pinned CRD of ${group}/${kind} (${published.source}) does not serve ${version}, only ${servedVersions.join(", ")}`,
      );
  return published;
}

/** A CRD with an open schema (`x-kubernetes-preserve-unknown-fields`) for a fictional kind of an example group. */
function openSchemaCrd(group: string, kind: string, versions: Set<string>): K8sObject {
  const plural = pluralOf(kind);
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [...versions].sort().map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      })),
    },
  } as K8sObject;
}

/** The lower-case plural of a fictional kind's CRD (FooRunner → foorunners, Policy → policies). */
function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/** Polls check every 100 ms until it is true; throws after timeoutMs (what: a text, or a function giving the last state). */
export async function waitFor(check: () => Promise<boolean>, what: string | (() => string), timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${typeof what === "string" ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `299 - "text" "date"` headers → their texts. */
function warningTexts(header: string | string[] | undefined): string[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return values.flatMap((v) => [...v.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1")));
}
