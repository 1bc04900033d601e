export interface WaiverMatch {
  kind?: string;
  namespace?: string;
  name?: string;
  labels?: Record<string, string>;
}

/** An approved, expiring exception to one control for the resources it matches. */
export interface Waiver {
  id: string;
  control: string;
  match: WaiverMatch;
  justification: string;
  owner: string;
  approver: string;
  ticket: string;
  /** Last day the waiver applies (YYYY-MM-DD, UTC). */
  expires: string;
  /** File the waiver was read from. */
  file: string;
}

export type WaiverState = "active" | "expiring" | "expired";

export interface WaiverStatus extends Waiver {
  state: WaiverState;
  /** Days from the audit date to the expiry date (negative once expired). */
  daysLeft: number;
  /** Findings this waiver matched. */
  matched: number;
}
