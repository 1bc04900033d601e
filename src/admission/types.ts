/** The data contracts of the webhook: how it decides, what it answers, and the audit record of each decision. */
import type { Severity } from "../types.js";
import type { RequestLimits } from "./limits.js";

/** How the webhook turns findings and failures into answers; the same in the main thread and every worker. */
export interface DecisionOptions {
  /** Lowest severity that denies; lower findings become warnings. */
  denyOn: Severity;
  /** `warn` never denies: every finding, limit and failure caused by the request becomes a warning. */
  mode: "enforce" | "warn";
  /**
   * What a failure of the webhook itself does (policies not loaded, no evaluation worker running):
   * deny (the default) or allow with a warning. A failure caused by the request, or an overload, always denies.
   */
  onError: "deny" | "allow";
  excludeNamespaces: string[];
  /** Checked before evaluation; a request past one is denied without being evaluated. */
  limits: RequestLimits;
}

/**
 * Who a failed evaluation is due to: the request itself (its evaluation threw or outlasted its
 * deadline, or the worker died evaluating it), the webhook (policies not loaded, no worker running),
 * or overload (no worker free before the deadline). Only `webhook` may fail open under
 * `--on-error allow`: an overload can be caused on purpose by flooding the webhook with slow requests.
 */
export type FailureCause = "request" | "webhook" | "overload";

/** The outcome of one request, as logged and counted. */
export type Decision = "allowed" | "denied" | "warned" | "skipped" | "error" | "over-limit";

/** The audit-trail record of one decision (one JSON log line). */
export interface DecisionRecord {
  uid: string;
  operation: string;
  kind: string;
  namespace: string;
  name: string;
  /** Set for a request on a subresource (`ephemeralcontainers` is evaluated, the others skipped). */
  subResource?: string;
  user: string;
  decision: Decision;
  allowed: boolean;
  /** Why a request was skipped, over a limit, or failed. */
  reason?: string;
  /** Who caused a failure (decision `error`). */
  causedBy?: FailureCause;
  controls: Array<{ id: string; severity: Severity; action: "deny" | "warn" | "waived" | "error"; messageId: string; waiver?: string }>;
}

/** The HTTP answer to one POST /validate, with its audit record when the body was an AdmissionReview. */
export interface ReviewResult {
  httpStatus: number;
  body: string;
  record?: DecisionRecord;
}
