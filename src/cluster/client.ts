/**
 * Reading a cluster: the kubeconfig (file, context, credentials, exec and auth-provider plugins) is
 * handled by @kubernetes/client-node; objects are listed as raw JSON (no typed model drops a field)
 * with GET requests only, through API discovery.
 */
import { request, type RequestOptions } from "node:https";
import { UsageError } from "../errors.js";
import type { K8sObject } from "../types.js";

/** Which cluster to read. */
export interface ClusterSource {
  /** Kubeconfig file; default $KUBECONFIG or ~/.kube/config (in-cluster config when neither exists). */
  kubeconfig?: string;
  /** Context of the kubeconfig; default its current context. */
  context?: string;
}

/** A failed request to the API server (status 0: no answer). */
export class ClusterReadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ClusterReadError";
  }
}

/** A read-only connection to one API server. */
export interface ClusterConnection {
  /** The kubeconfig context's name. */
  context: string;
  server: string;
  /** GET of an API path; the parsed JSON body. Throws ClusterReadError on a status other than 200. */
  get(path: string): Promise<any>;
}

/**
 * Opens a connection through the kubeconfig; a missing file or unknown context is a UsageError. The
 * client library (some 800 modules) is loaded here, not when the CLI starts.
 */
export async function connect(source: ClusterSource): Promise<ClusterConnection> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const config = new KubeConfig();
  try {
    if (source.kubeconfig) config.loadFromFile(source.kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    throw new UsageError(`cannot read kubeconfig ${source.kubeconfig ?? "(default)"}: ${(error as Error).message}`);
  }
  if (source.context) {
    if (!config.getContextObject(source.context))
      throw new UsageError(
        `context '${source.context}' is not in the kubeconfig (contexts: ${
          config
            .getContexts()
            .map((c) => c.name)
            .join(", ") || "none"
        })`,
      );
    config.setCurrentContext(source.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new UsageError(`the kubeconfig has no cluster for context '${config.getCurrentContext()}'`);
  const server = cluster.server.replace(/\/+$/, "");
  return {
    context: config.getCurrentContext(),
    server,
    get: async (path) => {
      const options: RequestOptions = {};
      await config.applyToHTTPSOptions(options);
      return getJson(new URL(server + path), options);
    },
  };
}

function getJson(url: URL, options: RequestOptions): Promise<any> {
  return new Promise((resolve, reject) => {
    const headers = { ...(options.headers ?? {}), accept: "application/json" };
    const req = request(url, { ...options, method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        if (res.statusCode === 200 && body !== undefined) return resolve(body);
        const why = body?.message ?? text.slice(0, 200);
        reject(new ClusterReadError(`GET ${url.pathname}: ${res.statusCode} ${why}`, res.statusCode ?? 0));
      });
    });
    req.on("error", (error) => reject(new ClusterReadError(`GET ${url.href}: ${error.message}`, 0)));
    req.end();
  });
}

/** A kind as the API server serves it. */
export interface ServedKind {
  kind: string;
  /** `v1` or `group/version` (the group's preferred version). */
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

/**
 * Finds how each kind is served, in the groups the kind catalog names for it (preferred version of
 * each group). Kinds the server does not serve (a CRD not installed) are in `notServed`.
 */
export async function discoverKinds(
  connection: ClusterConnection,
  kinds: readonly string[],
  groupsOf: (kind: string) => readonly string[],
): Promise<{ served: ServedKind[]; notServed: string[] }> {
  const groups = (await connection.get("/apis")).groups as Array<{ name: string; preferredVersion: { groupVersion: string } }>;
  const preferred = new Map<string, string>([
    ["", "v1"],
    ...groups.map((g) => [g.name, g.preferredVersion.groupVersion] as [string, string]),
  ]);
  const resources = new Map<string, Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }>>();
  const resourcesOf = async (groupVersion: string) => {
    if (!resources.has(groupVersion))
      resources.set(groupVersion, (await connection.get(groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`)).resources);
    return resources.get(groupVersion)!;
  };
  const served: ServedKind[] = [];
  const notServed: string[] = [];
  for (const kind of kinds) {
    let found: ServedKind | undefined;
    for (const group of groupsOf(kind)) {
      const groupVersion = preferred.get(group);
      if (!groupVersion) continue;
      const r = (await resourcesOf(groupVersion)).find(
        (x) => x.kind === kind && !x.name.includes("/") && (x.verbs ?? ["list"]).includes("list"),
      );
      if (r) {
        found = { kind, apiVersion: groupVersion, plural: r.name, namespaced: r.namespaced };
        break;
      }
    }
    if (found) served.push(found);
    else notServed.push(kind);
  }
  return { served, notServed };
}

/**
 * Every object of a served kind: in each of `namespaces` (all namespaces when empty) for a namespaced
 * kind, cluster-wide otherwise. Items get the list's apiVersion and kind (the API server omits them).
 */
export async function listObjects(connection: ClusterConnection, served: ServedKind, namespaces: readonly string[]): Promise<K8sObject[]> {
  const prefix = served.apiVersion === "v1" ? "/api/v1" : `/apis/${served.apiVersion}`;
  const paths =
    served.namespaced && namespaces.length
      ? namespaces.map((ns) => `${prefix}/namespaces/${encodeURIComponent(ns)}/${served.plural}`)
      : [`${prefix}/${served.plural}`];
  const objects: K8sObject[] = [];
  for (const path of paths) {
    let next: string | undefined = "";
    do {
      const page: any = await connection.get(`${path}?limit=500${next ? `&continue=${encodeURIComponent(next)}` : ""}`);
      for (const item of page.items ?? []) objects.push({ apiVersion: served.apiVersion, kind: served.kind, ...item });
      next = page.metadata?.continue || undefined;
    } while (next);
  }
  return objects;
}
