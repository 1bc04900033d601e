/**
 * The resource a waiver covers: kind, namespace and name (no namespace for a cluster-scoped kind), or a
 * non-empty label selector; every field given must match.
 */
export interface WaiverMatch {
  kind?: string;
  /** `""` for an object written without a namespace. */
  namespace?: string;
  name?: string;
  labels?: Record<string, string>;
}

/** An approved, expiring exception to one message of one control, for the resources it matches. */
export interface Waiver {
  id: string;
  control: string;
  /** The message of the control it waives (a key of `messages` in the control's control.yaml). */
  messageId: string;
  /** Narrows the waiver to findings whose data has exactly these values (e.g. `{ container: app }`). */
  data?: Record<string, string | number | boolean>;
  match: WaiverMatch;
  justification: string;
  owner: string;
  approver: string;
  ticket: string;
  /** Day the waiver was approved (YYYY-MM-DD, UTC); not after the audit date. */
  approved: string;
  /** Last day the waiver applies (YYYY-MM-DD, UTC); at most the config's `waiverPolicy.maxLifetimeDays` after `approved`. */
  expires: string;
  /** File the waiver was read from. */
  file: string;
}

export type WaiverState = "active" | "expiring" | "expired";

/** A waiver with its state on the audit date and the findings it waived. */
export interface WaiverStatus extends Waiver {
  state: WaiverState;
  /** Days from the audit date to the expiry date (negative once expired). */
  daysLeft: number;
  /** Findings this waiver matched. */
  matched: number;
  /** When it matched nothing: why, and what to do (`remove it` only when the run could have matched it). */
  unused?: { reason: UnusedReason; advice: string };
}

/**
 * Why a waiver matched nothing: `fixed` (its control ran on every input and all loaded: remove it), or
 * why the run could not tell — control not selected, disabled by config, not run in a unit, failed to
 * evaluate, an input error, or no audited object is the one it names.
 */
export type UnusedReason = "fixed" | "notSelected" | "disabled" | "notRun" | "evaluationError" | "inputError" | "noObject";
