/** A self-signed certificate, AdmissionReview bodies and an HTTPS client for the webhook tests. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { ServerOptions } from "../../src/admission/server.js";
import type { K8sObject } from "../../src/types.js";

/** Writes cert.pem/key.pem (CN and SAN localhost, 127.0.0.1) into dir with the machine's openssl. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
      ["-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    ].flat(),
    { stdio: "ignore" },
  );
  return { cert, key };
}

/** The StatefulSet of the reference deployment: it passes every object-scope control. */
export function referenceStatefulSet(): K8sObject {
  const text = readFileSync(new URL("../../manifests/standalone/workload.yaml", import.meta.url), "utf8");
  const found = parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject)
    .find((o) => o?.kind === "StatefulSet");
  if (!found) throw new Error("manifests/standalone/workload.yaml has no StatefulSet");
  return found;
}

/** A Pod of the reference StatefulSet's template (what its controller creates): it passes every object-scope control. */
export function referencePod(name = "erlmcp-0"): K8sObject {
  const template = structuredClone((referenceStatefulSet().spec as any).template);
  return { apiVersion: "v1", kind: "Pod", metadata: { ...template.metadata, name, namespace: "erlmcp" }, spec: template.spec };
}

/** What `kubectl debug --profile=sysadmin` adds: a privileged container (the image pinned, so only the privilege fails). */
export function privilegedContainer(name = "debugger"): Record<string, unknown> {
  return { name, image: `busybox:1.36.1@sha256:${"a".repeat(64)}`, stdin: true, tty: true, securityContext: { privileged: true } };
}

/** JSON text nested `depth` objects deep, built without recursion (JSON.stringify would overflow). */
export function deepJson(depth: number): string {
  return `${'{"x":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** An AdmissionReview body with the JSON string `"${marker}"` replaced by raw JSON text. */
export function withRawJson(body: string, marker: string, raw: string): string {
  const quoted = JSON.stringify(marker);
  if (!body.includes(quoted)) throw new Error(`${marker} is not in the body`);
  return body.replace(quoted, () => raw);
}

export function admissionReview(uid: string, object: K8sObject, operation = "CREATE", extra: Record<string, unknown> = {}): string {
  const metadata = object.metadata ?? {};
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "", version: "v1", kind: object.kind },
      operation,
      namespace: metadata.namespace ?? "",
      name: metadata.name ?? "",
      userInfo: { username: "alice@example.com" },
      object: operation === "DELETE" ? null : object,
      ...extra,
    },
  });
}

export interface Reply {
  status: number;
  body: string;
  json: () => any;
}

/** One HTTPS request that verifies the server certificate against ca. */
export function call(
  port: number,
  ca: string,
  path: string,
  options: { method?: string; body?: string | Buffer; stall?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        servername: "localhost",
        port,
        path,
        method: options.method ?? (options.body === undefined && !options.stall ? "GET" : "POST"),
        ca: readFileSync(ca),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body) });
        });
      },
    );
    req.on("error", reject);
    req.setHeader("content-type", "application/json");
    if (options.stall) {
      // Announce a body, send part of it, and never finish.
      req.setHeader("content-length", "1000");
      req.write("{");
      return;
    }
    req.end(options.body);
  });
}

/**
 * A test webhook's options: a free loopback port, the certificate of `tls`, files relative to `dir`,
 * enforcing and denying from high severity, no shutdown delay, logs dropped; `overrides` on top.
 */
export function testServerOptions(dir: string, tls: { cert: string; key: string }, overrides: Partial<ServerOptions> = {}): ServerOptions {
  return {
    tlsCert: tls.cert,
    tlsKey: tls.key,
    port: 0,
    host: "127.0.0.1",
    settings: { cwd: dir },
    denyOn: "high",
    mode: "enforce",
    onError: "deny",
    excludeNamespaces: ["kube-system"],
    workers: 2,
    timeoutMs: 3000,
    reloadIntervalMs: 60_000,
    shutdownDelayMs: 0,
    log: () => {},
    ...overrides,
  };
}
