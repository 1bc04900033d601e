/** admission.k8s.io/v1 AdmissionReview in, AdmissionReview out: the decision for one request. */
import { meetsThreshold } from "../gate/threshold.js";
import type { K8sObject, Severity } from "../types.js";
import type { AdmissionEvaluator, AdmissionFinding } from "./evaluator.js";

export interface DecisionOptions {
  /** Lowest severity that denies; lower findings become warnings. */
  denyOn: Severity;
  /** `warn` never denies: every finding becomes a warning. */
  mode: "enforce" | "warn";
  /** What an internal evaluation error does: deny (fail-closed, the default) or allow with a warning. */
  onError: "deny" | "allow";
  excludeNamespaces: string[];
}

export type Decision = "allowed" | "denied" | "warned" | "skipped" | "error";

/** The audit-trail record of one decision (one JSON log line). */
export interface DecisionRecord {
  uid: string;
  operation: string;
  kind: string;
  namespace: string;
  name: string;
  user: string;
  decision: Decision;
  allowed: boolean;
  controls: Array<{ id: string; severity: Severity; action: "deny" | "warn" | "waived" | "error"; messageId: string; waiver?: string }>;
}

export interface ReviewResult {
  httpStatus: number;
  body: string;
  record?: DecisionRecord;
}

interface AdmissionRequest {
  uid: string;
  kind?: { kind?: string };
  name?: string;
  namespace?: string;
  operation?: string;
  subResource?: string;
  userInfo?: { username?: string };
  object?: K8sObject | null;
}

const WARNING_LIMIT = 256;

export function badRequest(message: string, httpStatus = 400): ReviewResult {
  return { httpStatus, body: JSON.stringify({ error: message }) };
}

/** Parses an AdmissionReview; a malformed body or a wrong kind is a 400 with the reason. */
export function parseReview(body: string): AdmissionRequest | ReviewResult {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch (error) {
    return badRequest(`malformed JSON: ${(error as Error).message}`);
  }
  const r = review as { apiVersion?: unknown; kind?: unknown; request?: { uid?: unknown } } | null;
  if (!r || typeof r !== "object" || r.apiVersion !== "admission.k8s.io/v1" || r.kind !== "AdmissionReview")
    return badRequest("expected an admission.k8s.io/v1 AdmissionReview");
  if (!r.request || typeof r.request !== "object" || typeof r.request.uid !== "string" || !r.request.uid)
    return badRequest("AdmissionReview has no request.uid");
  return r.request as AdmissionRequest;
}

export function respond(uid: string, allowed: boolean, extra: { code?: number; message?: string; warnings?: string[] } = {}): string {
  const response: Record<string, unknown> = { uid, allowed };
  if (extra.message)
    response.status = { code: extra.code ?? (allowed ? 200 : 403), message: extra.message, ...(allowed ? {} : { reason: "Forbidden" }) };
  if (extra.warnings?.length) response.warnings = extra.warnings;
  return JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response });
}

/** The answer when evaluation failed or timed out: deny (fail-closed) unless configured to allow. */
export function errorResponse(uid: string, message: string, options: Pick<DecisionOptions, "onError">): string {
  const text = `erlmcp-audit could not evaluate the request: ${message}`;
  return options.onError === "allow"
    ? respond(uid, true, { warnings: [truncate(text)] })
    : respond(uid, false, { code: 500, message: text });
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

export function handleReview(body: string, evaluator: AdmissionEvaluator, options: DecisionOptions, now: Date): ReviewResult {
  const request = parseReview(body);
  if ("httpStatus" in request) return request;
  const object = request.object;
  const kind = (object && typeof object.kind === "string" ? object.kind : request.kind?.kind) ?? "";
  const namespace = request.namespace || (kind === "Namespace" ? (request.name ?? "") : "");
  const name = request.name || String(object?.metadata?.name ?? object?.metadata?.generateName ?? "");
  const operation = request.operation ?? "";
  const record: DecisionRecord = {
    uid: request.uid,
    operation,
    kind,
    namespace,
    name,
    user: request.userInfo?.username ?? "",
    decision: "skipped",
    allowed: true,
    controls: [],
  };
  const skip = (operation !== "CREATE" && operation !== "UPDATE") || !!request.subResource || options.excludeNamespaces.includes(namespace);
  if (skip) return { httpStatus: 200, body: respond(request.uid, true), record };
  if (!object || typeof object !== "object" || Array.isArray(object)) {
    return { httpStatus: 400, body: JSON.stringify({ error: `${operation} request ${request.uid} has no request.object` }) };
  }

  let findings: AdmissionFinding[];
  try {
    // The API server sends namespaced objects without metadata.namespace when the client left it out.
    const metadata = { ...object.metadata, ...(request.namespace && !object.metadata?.namespace ? { namespace: request.namespace } : {}) };
    findings = evaluator.evaluate({ ...object, metadata: { ...metadata, name: metadata.name ?? name } }, now);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    record.decision = "error";
    record.allowed = options.onError === "allow";
    return { httpStatus: 200, body: errorResponse(request.uid, message, options), record };
  }

  const denies = (f: AdmissionFinding) =>
    options.mode === "enforce" &&
    (f.status === "error" ? options.onError === "deny" : f.status === "fail" && meetsThreshold(f.severity, options.denyOn));
  const denied = findings.filter(denies);
  const warned = findings.filter((f) => f.status !== "waived" && !denies(f));
  record.controls = findings.map((f) => ({
    id: f.controlId,
    severity: f.severity,
    action: f.status === "waived" ? "waived" : f.status === "error" ? "error" : denies(f) ? "deny" : "warn",
    messageId: f.messageId,
    ...(f.waiver ? { waiver: f.waiver.id } : {}),
  }));
  record.decision = findings.some((f) => f.status === "error") ? "error" : denied.length ? "denied" : warned.length ? "warned" : "allowed";
  record.allowed = denied.length === 0;
  const warnings = byControl(warned).map(([first, messages]) => truncate(`${first.controlId} (${first.severity}): ${messages.join("; ")}`));
  if (!denied.length) return { httpStatus: 200, body: respond(request.uid, true, { warnings }), record };
  const lines = byControl(denied).map(
    ([first, messages]) =>
      `- ${first.controlId} (${first.severity}): ${messages.join("; ")}${first.status === "error" ? "" : `\n  Remediation: ${oneLine(first.remediation)}`}`,
  );
  const where = namespace ? `${namespace}/${name}` : name;
  const count = lines.length;
  const message = `erlmcp-audit denied ${kind} ${where}: ${count} failing control${count === 1 ? "" : "s"}\n${lines.join("\n")}`;
  return { httpStatus: 200, body: respond(request.uid, false, { message, warnings }), record };
}

/** The answer when no worker could give one (timeout, crashed worker): built from the body in the main thread. */
export function failureResult(body: string, message: string, options: DecisionOptions): ReviewResult {
  const request = parseReview(body);
  if ("httpStatus" in request) return request;
  const record: DecisionRecord = {
    uid: request.uid,
    operation: request.operation ?? "",
    kind: request.object?.kind ?? request.kind?.kind ?? "",
    namespace: request.namespace ?? "",
    name: request.name ?? "",
    user: request.userInfo?.username ?? "",
    decision: "error",
    allowed: options.onError === "allow",
    controls: [],
  };
  return { httpStatus: 200, body: errorResponse(request.uid, message, options), record };
}
