/** The validating admission webhook: HTTPS, POST /validate, /healthz, /readyz, /metrics, reload, graceful shutdown. */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { DEFAULT_LIMITS, type RequestLimits } from "./limits.js";
import { Metrics } from "./metrics.js";
import { createReviewer, ReviewFailure, type PoolEvent, type Reviewer } from "./pool.js";
import { UID_PREFIX_BYTES, uidFromPrefix } from "./request.js";
import { badRequest, bodyOverLimitResult, failureResult } from "./review.js";
import { fingerprint, loadSettings, type SettingsSource } from "./settings.js";
import type { DecisionOptions, FailureCause, ReviewResult } from "./types.js";

/** A review running this long counts as slow, and another waiting review may get a spare worker. */
export const DEFAULT_SLOW_AFTER_MS = 500;

/** Everything `erlmcp-audit serve` is configured with. */
export interface ServerOptions extends Omit<DecisionOptions, "limits"> {
  tlsCert: string;
  tlsKey: string;
  port: number;
  host?: string;
  settings: SettingsSource;
  /** Evaluation worker threads; 0 evaluates in the main thread (then a slow evaluation cannot be timed out). */
  workers: number;
  /** Per request, from its first byte to the response. */
  timeoutMs: number;
  /** Overrides of DEFAULT_LIMITS. */
  limits?: Partial<RequestLimits>;
  /** See DEFAULT_SLOW_AFTER_MS. */
  slowAfterMs?: number;
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

/** Listens at once; `ready` resolves when the policies are loaded (a load failure leaves the server answering per --on-error). */
export async function startServer(options: ServerOptions): Promise<AdmissionServer> {
  const { denyOn, mode, onError, excludeNamespaces } = options;
  const decisions: DecisionOptions = { denyOn, mode, onError, excludeNamespaces, limits: { ...DEFAULT_LIMITS, ...options.limits } };
  const maxBody = decisions.limits.maxBodyBytes;
  const log = (level: "info" | "error", msg: string, fields: Record<string, unknown> = {}) =>
    options.log(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
  const metrics = new Metrics();
  const tls = () => ({ cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey), minVersion: "TLSv1.2" as const });
  let loaded = loadSettings(options.settings);
  let settingsPrint = fingerprint(loaded.files);
  let tlsPrint = fingerprint([options.tlsCert, options.tlsKey]);
  let reviewer: Reviewer | undefined;
  let loadError: string | undefined;
  let shuttingDown = false;
  let inFlight = 0;

  const server: Server = createServer(tls(), (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    res.on("finish", () => metrics.requests.inc({ path: KNOWN_PATHS.has(path) ? path : "other", code: String(res.statusCode) }));
    if (shuttingDown) res.setHeader("connection", "close");
    if (req.method === "GET" && path === "/healthz") return send(res, 200, "ok\n", "text/plain");
    if (req.method === "GET" && path === "/readyz")
      return reviewer?.ready() && !shuttingDown ? send(res, 200, "ready\n", "text/plain") : send(res, 503, "not ready\n", "text/plain");
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
    const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
    let answered = false;
    const answer = (result: ReviewResult, close = false) => {
      if (answered) return;
      answered = true;
      clearTimeout(bodyTimer);
      if (close) res.setHeader("connection", "close");
      send(res, result.httpStatus, result.body);
      const seconds = elapsedMs() / 1e3;
      metrics.observe(seconds);
      if (result.record) {
        metrics.record(result.record);
        log("info", "admission decision", { ...result.record, durationMs: Math.round(seconds * 1e6) / 1e3 });
      } else
        log("error", "bad admission request", { status: result.httpStatus, error: (JSON.parse(result.body) as { error: string }).error });
    };
    const bodyTimer = setTimeout(
      () => answer(badRequest(`request not received within ${options.timeoutMs} ms`, 408), true),
      options.timeoutMs,
    );

    // A body announced over the limit is not read past its first chunk: enough for the uid.
    const declared = Number(req.headers["content-length"] ?? 0);
    const received = await readBody(req, declared > maxBody ? 0 : maxBody);
    if (answered) return;
    clearTimeout(bodyTimer);
    if ("prefix" in received) {
      const uid = uidFromPrefix(received.prefix);
      return answer(uid ? bodyOverLimitResult(uid, decisions) : badRequest(`request body exceeds ${maxBody} bytes`, 413), true);
    }
    if (received.body === undefined) return answer(badRequest("request body aborted"), true);
    const body = received.body;
    const fail = (message: string, causedBy: FailureCause) => {
      log("error", "evaluation failed", { error: message, causedBy });
      answer(failureResult(body, message, causedBy, decisions));
    };
    if (!reviewer) return fail(loadError ? `the policies could not be loaded: ${loadError}` : "the policies are still loading", "webhook");
    try {
      answer(await reviewer.review(body, new Date(), Math.max(1, options.timeoutMs - elapsedMs()), options.timeoutMs));
    } catch (error) {
      if (error instanceof ReviewFailure) fail(error.message, error.causedBy);
      else fail(error instanceof Error ? error.message : String(error), "webhook");
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log("info", "listening", { port, workers: options.workers });

  const pool = {
    workers: options.workers,
    slowAfterMs: options.slowAfterMs ?? DEFAULT_SLOW_AFTER_MS,
    onEvent: ({ event, detail }: PoolEvent) => {
      metrics.workers.inc({ event });
      log(event === "worker start failed" ? "error" : "info", event, { detail });
    },
  };
  const ready = createReviewer(loaded.settings, decisions, pool).then((r) => {
    reviewer = r;
    log("info", "policies loaded", { profile: loaded.settings.profile, waivers: loaded.settings.waivers.length });
  });
  ready.catch((error: unknown) => {
    loadError = error instanceof Error ? error.message : String(error);
    log("error", "cannot load the policies", { error: loadError });
  });

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

/**
 * The body as text, or, past the limit, its first bytes (the rest is read and discarded so the answer
 * reaches the client); neither when the client aborted.
 */
function readBody(req: IncomingMessage, limit: number): Promise<{ body?: string } | { prefix: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= limit) return;
      req.off("data", onData);
      req.resume();
      resolve({ prefix: Buffer.concat(chunks, Math.min(size, UID_PREFIX_BYTES)).toString("utf8") });
    };
    req.on("data", onData);
    req.on("end", () => resolve({ body: Buffer.concat(chunks).toString("utf8") }));
    req.on("aborted", () => resolve({}));
    req.on("error", () => resolve({}));
  });
}

function send(res: ServerResponse, status: number, body: string, type = "application/json"): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}
