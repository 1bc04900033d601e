/** The validating admission webhook: HTTPS, POST /validate, /healthz, /readyz, /metrics, reload, graceful shutdown. */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Metrics } from "./metrics.js";
import { createReviewer, EvaluationTimeout, type Reviewer } from "./pool.js";
import { badRequest, failureResult, type DecisionOptions, type ReviewResult } from "./review.js";
import { fingerprint, loadSettings, type SettingsSource } from "./settings.js";

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ServerOptions extends DecisionOptions {
  tlsCert: string;
  tlsKey: string;
  port: number;
  host?: string;
  settings: SettingsSource;
  /** Evaluation worker threads; 0 evaluates in the main thread. */
  workers: number;
  /** Per request, from its first byte to the response. */
  timeoutMs: number;
  maxBodyBytes?: number;
  /** How often the config, waiver and certificate files are checked for changes. */
  reloadIntervalMs: number;
  /** After SIGTERM: how long /readyz fails while requests are still served (endpoint removal lags). */
  shutdownDelayMs: number;
  /** Receives one JSON line per decision and per event. */
  log: (line: string) => void;
}

export interface AdmissionServer {
  readonly port: number;
  /** Resolves once the policies are loaded in every worker (then /readyz is 200). */
  readonly ready: Promise<void>;
  readonly metrics: Metrics;
  /** Stops accepting, finishes in-flight requests, stops the workers. */
  close(): Promise<void>;
}

const KNOWN_PATHS = new Set(["/validate", "/healthz", "/readyz", "/metrics"]);

export async function startServer(options: ServerOptions): Promise<AdmissionServer> {
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const log = (level: "info" | "error", msg: string, fields: Record<string, unknown> = {}) =>
    options.log(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
  const metrics = new Metrics();
  const tls = () => ({ cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey), minVersion: "TLSv1.2" as const });
  let loaded = loadSettings(options.settings);
  let settingsPrint = fingerprint(loaded.files);
  let tlsPrint = fingerprint([options.tlsCert, options.tlsKey]);
  let reviewer: Reviewer | undefined;
  let shuttingDown = false;
  let inFlight = 0;

  const server: Server = createServer(tls(), (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    res.on("finish", () => metrics.requests.inc({ path: KNOWN_PATHS.has(path) ? path : "other", code: String(res.statusCode) }));
    if (shuttingDown) res.setHeader("connection", "close");
    if (req.method === "GET" && path === "/healthz") return send(res, 200, "ok\n", "text/plain");
    if (req.method === "GET" && path === "/readyz")
      return reviewer && !shuttingDown ? send(res, 200, "ready\n", "text/plain") : send(res, 503, "not ready\n", "text/plain");
    if (req.method === "GET" && path === "/metrics") return send(res, 200, metrics.render(), "text/plain; version=0.0.4");
    if (path !== "/validate") return send(res, 404, JSON.stringify({ error: `no route ${path}` }));
    if (req.method !== "POST") return send(res, 405, JSON.stringify({ error: "use POST" }));
    inFlight++;
    res.on("close", () => {
      inFlight--;
      if (shuttingDown && inFlight === 0) server.closeIdleConnections();
    });
    void validate(req, res);
  });

  async function validate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let body: string | undefined;
    let answered = false;
    const answer = (result: ReviewResult, close = false) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      if (close) res.setHeader("connection", "close");
      send(res, result.httpStatus, result.body);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observe(seconds);
      if (result.record) {
        metrics.record(result.record);
        log("info", "admission decision", { ...result.record, durationMs: Math.round(seconds * 1e6) / 1e3 });
      } else
        log("error", "bad admission request", { status: result.httpStatus, error: (JSON.parse(result.body) as { error: string }).error });
    };
    const timedOut = `evaluation timed out after ${options.timeoutMs} ms`;
    const timer = setTimeout(() => {
      if (body === undefined) answer(badRequest(`request not received within ${options.timeoutMs} ms`, 408), true);
      else answer(failureResult(body, timedOut, options));
    }, options.timeoutMs);

    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBody) return answer(tooLarge(maxBody), true);
    const received = await readBody(req, maxBody);
    if (answered) return;
    if (received.error) return answer(received.error === "tooLarge" ? tooLarge(maxBody) : badRequest("request body aborted"), true);
    const text = (body = received.body);
    if (!reviewer) return answer(badRequest("policies are still loading", 503));
    try {
      answer(await reviewer.review(text, new Date(), Math.max(1, options.timeoutMs - Number(process.hrtime.bigint() - started) / 1e6)));
    } catch (error) {
      const message = error instanceof EvaluationTimeout ? timedOut : error instanceof Error ? error.message : String(error);
      log("error", "evaluation failed", { error: message });
      answer(failureResult(text, message, options));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log("info", "listening", { port, workers: options.workers });

  const { denyOn, mode, onError, excludeNamespaces } = options;
  const ready = createReviewer(options.workers, loaded.settings, { denyOn, mode, onError, excludeNamespaces }).then((r) => {
    reviewer = r;
    log("info", "policies loaded", { profile: loaded.settings.profile, waivers: loaded.settings.waivers.length });
  });
  ready.catch((error: unknown) =>
    log("error", "cannot load the policies", { error: error instanceof Error ? error.message : String(error) }),
  );

  const poll = setInterval(() => {
    const nextTls = fingerprint([options.tlsCert, options.tlsKey]);
    if (nextTls !== tlsPrint) {
      tlsPrint = nextTls;
      try {
        server.setSecureContext(tls());
        log("info", "certificate reloaded");
      } catch (error) {
        log("error", "cannot reload the certificate", { error: (error as Error).message });
      }
    }
    const next = fingerprint(loaded.files);
    if (next === settingsPrint) return;
    settingsPrint = next;
    try {
      loaded = loadSettings(options.settings);
      settingsPrint = fingerprint(loaded.files);
      reviewer?.configure(loaded.settings);
      metrics.reloads.inc({ result: "success" });
      log("info", "config reloaded", { profile: loaded.settings.profile, waivers: loaded.settings.waivers.length });
    } catch (error) {
      metrics.reloads.inc({ result: "failure" });
      log("error", "config reload failed; keeping the previous config", { error: (error as Error).message });
    }
  }, options.reloadIntervalMs);
  poll.unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      clearInterval(poll);
      log("info", "shutting down", { inFlight });
      await new Promise((r) => setTimeout(r, options.shutdownDelayMs));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), options.timeoutMs + 1000);
      await closed;
      clearTimeout(deadline);
      await ready.catch(() => {});
      await reviewer?.close();
      log("info", "stopped");
    })());

  return { port, ready, metrics, close };
}

/** The body as text; past the limit the rest is read and discarded so the 413 reaches the client. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: string; error?: undefined } | { error: "tooLarge" | "aborted" }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        req.off("data", onData);
        req.resume();
        resolve({ error: "tooLarge" });
      }
    };
    req.on("data", onData);
    req.on("end", () => resolve({ body: Buffer.concat(chunks).toString("utf8") }));
    req.on("aborted", () => resolve({ error: "aborted" }));
    req.on("error", () => resolve({ error: "aborted" }));
  });
}

function tooLarge(limit: number): ReviewResult {
  return badRequest(`request body exceeds ${limit} bytes`, 413);
}

function send(res: ServerResponse, status: number, body: string, type = "application/json"): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}
