/** admission.k8s.io/v1 AdmissionReview in, AdmissionReview out: the decision for one request. */
import { meetsThreshold } from "../gate/threshold.js";
import type { AdmissionEvaluator, AdmissionFinding } from "./evaluator.js";
import { bodyTooLarge, walkLimits } from "./limits.js";
import { parseReview, requestRecord, skipReason } from "./request.js";
import type { DecisionOptions, DecisionRecord, FailureCause, ReviewResult } from "./types.js";

const WARNING_LIMIT = 256;

/** An HTTP error with a JSON `{error}` body: the request was not an AdmissionReview the webhook can answer. */
export function badRequest(message: string, httpStatus = 400): ReviewResult {
  return { httpStatus, body: JSON.stringify({ error: message }) };
}

/** An AdmissionReview response body. */
export function respond(uid: string, allowed: boolean, extra: { code?: number; message?: string; warnings?: string[] } = {}): string {
  const response: Record<string, unknown> = { uid, allowed };
  if (extra.message)
    response.status = { code: extra.code ?? (allowed ? 200 : 403), message: extra.message, ...(allowed ? {} : { reason: "Forbidden" }) };
  if (extra.warnings?.length) response.warnings = extra.warnings;
  return JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response });
}

/** Evaluates one AdmissionReview body: skipped, over a limit, or decided by the findings of its object. */
export function handleReview(body: string, evaluator: AdmissionEvaluator, options: DecisionOptions, now: Date): ReviewResult {
  const request = parseReview(body);
  if ("httpStatus" in request) return badRequest(request.error, request.httpStatus);
  const record = requestRecord(request);
  const skipped = skipReason(request, record, options);
  if (skipped) return { httpStatus: 200, body: respond(request.uid, true), record: { ...record, reason: skipped } };
  const object = request.object;
  if (!object || typeof object !== "object" || Array.isArray(object))
    return badRequest(`${record.operation} request ${request.uid} has no request.object`);
  if (request.subResource === "ephemeralcontainers" && object.kind !== "Pod")
    return failure(
      record,
      `pods/ephemeralcontainers must carry the Pod (Kubernetes 1.22 or later), not kind ${String(object.kind)}`,
      "request",
      options,
    );
  const walk = walkLimits(object, options.limits);
  if (walk.exceeded) return overLimit(record, walk.exceeded, options);

  let findings: AdmissionFinding[];
  try {
    // The API server sends namespaced objects without metadata.namespace when the client left it out.
    const metadata = { ...object.metadata, ...(request.namespace && !object.metadata?.namespace ? { namespace: request.namespace } : {}) };
    // What the walk found of nulls holds for this copy: it replaces metadata by one that adds only strings.
    findings = evaluator.evaluate({ ...object, metadata: { ...metadata, name: metadata.name ?? record.name } }, now, {
      nullKey: walk.nullKey,
    });
  } catch (error) {
    return failure(record, error instanceof Error ? error.message : String(error), "request", options);
  }
  return decide(record, findings, options);
}

/**
 * The answer when no worker gave one (no evaluator, no free worker, a timeout, a crashed worker),
 * built from the body in the main thread. A request the webhook would skip is still allowed.
 */
export function failureResult(body: string, message: string, causedBy: FailureCause, options: DecisionOptions): ReviewResult {
  const request = parseReview(body);
  if ("httpStatus" in request) return badRequest(request.error, request.httpStatus);
  const record = requestRecord(request);
  const skipped = skipReason(request, record, options);
  if (skipped) return { httpStatus: 200, body: respond(request.uid, true), record: { ...record, reason: skipped } };
  return failure(record, message, causedBy, options);
}

/** The answer to a body over `maxBodyBytes` whose uid could be read from its first bytes. */
export function bodyOverLimitResult(uid: string, options: DecisionOptions): ReviewResult {
  const record: DecisionRecord = {
    uid,
    operation: "",
    kind: "",
    namespace: "",
    name: "",
    user: "",
    decision: "skipped",
    allowed: true,
    controls: [],
  };
  return overLimit(record, bodyTooLarge(options.limits), options);
}

function decide(record: DecisionRecord, findings: AdmissionFinding[], options: DecisionOptions): ReviewResult {
  // An evaluation error is caused by the object: it denies like a failing control, whatever --on-error says.
  const denies = (f: AdmissionFinding) =>
    options.mode === "enforce" && (f.status === "error" || (f.status === "fail" && meetsThreshold(f.severity, options.denyOn)));
  const denied = findings.filter(denies);
  const warned = findings.filter((f) => f.status !== "waived" && !denies(f));
  record.controls = findings.map((f) => ({
    id: f.controlId,
    severity: f.severity,
    action: f.status === "waived" ? "waived" : f.status === "error" ? "error" : denies(f) ? "deny" : "warn",
    messageId: f.messageId,
    ...(f.waiver ? { waiver: f.waiver.id } : {}),
  }));
  const failed = findings.some((f) => f.status === "error");
  record.decision = failed ? "error" : denied.length ? "denied" : warned.length ? "warned" : "allowed";
  if (failed) record.causedBy = "request";
  record.allowed = denied.length === 0;
  const warnings = byControl(warned).map(([first, messages]) => truncate(`${first.controlId} (${first.severity}): ${messages.join("; ")}`));
  if (!denied.length) return { httpStatus: 200, body: respond(record.uid, true, { warnings }), record };
  const lines = byControl(denied).map(
    ([first, messages]) =>
      `- ${first.controlId} (${first.severity}): ${messages.join("; ")}${first.status === "error" ? "" : `\n  Remediation: ${oneLine(first.remediation)}`}`,
  );
  const count = lines.length;
  const message = `erlmcp-audit denied ${subject(record)}: ${count} failing control${count === 1 ? "" : "s"}\n${lines.join("\n")}`;
  return { httpStatus: 200, body: respond(record.uid, false, { message, warnings }), record };
}

/** A request past a limit: denied without evaluation (a warning in warn mode). */
function overLimit(record: DecisionRecord, reason: string, options: DecisionOptions): ReviewResult {
  return refuse({ ...record, decision: "over-limit", reason }, 403, ` without evaluating it: ${reason}`, options);
}

/**
 * A failed evaluation. Caused by the request: denied like a failing control (a warning in warn mode).
 * Caused by the webhook: denied, or allowed with a warning under `--on-error allow`. Overload: denied.
 */
function failure(record: DecisionRecord, message: string, causedBy: FailureCause, options: DecisionOptions): ReviewResult {
  const failed: DecisionRecord = { ...record, decision: "error", reason: message, causedBy };
  if (causedBy === "request") return refuse(failed, 500, `: the request could not be evaluated: ${message}`, options);
  const text = `erlmcp-audit could not evaluate the request: ${message}`;
  if (options.onError === "allow" && causedBy === "webhook")
    return {
      httpStatus: 200,
      body: respond(record.uid, true, { warnings: [truncate(`${text} (allowed by --on-error allow)`)] }),
      record: failed,
    };
  return { httpStatus: 200, body: respond(record.uid, false, { code: 500, message: text }), record: { ...failed, allowed: false } };
}

function refuse(record: DecisionRecord, code: number, why: string, options: DecisionOptions): ReviewResult {
  if (options.mode === "warn")
    return {
      httpStatus: 200,
      body: respond(record.uid, true, { warnings: [truncate(`erlmcp-audit would deny ${subject(record)}${why}`)] }),
      record,
    };
  return {
    httpStatus: 200,
    body: respond(record.uid, false, { code, message: `erlmcp-audit denied ${subject(record)}${why}` }),
    record: { ...record, allowed: false },
  };
}

/** `Pod erlmcp/web (ephemeralcontainers)`; `the request` when nothing is known about it. */
function subject(record: DecisionRecord): string {
  if (!record.kind) return "the request";
  const where = record.namespace ? `${record.namespace}/${record.name}` : record.name;
  return `${record.kind} ${where}${record.subResource ? ` (${record.subResource})` : ""}`;
}

/** Findings grouped by control (in finding order), with their one-line messages. */
function byControl(findings: AdmissionFinding[]): Array<[AdmissionFinding, string[]]> {
  const groups = new Map<string, [AdmissionFinding, string[]]>();
  for (const f of findings) {
    const group = groups.get(f.controlId) ?? [f, []];
    group[1].push(oneLine(f.message));
    groups.set(f.controlId, group);
  }
  return [...groups.values()];
}

const truncate = (s: string) => (s.length > WARNING_LIMIT ? `${s.slice(0, WARNING_LIMIT - 1)}…` : s);
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
