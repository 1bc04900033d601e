/** The records of the audit ledger: one signed JSON file per gate run or admission interval, hash-chained. */
import type { RunIdentity } from "../evidence/custody.js";
import type { Severity } from "../types.js";

/** Version of the record format; a reader refuses a major version it does not know. */
export const LEDGER_SCHEMA_VERSION = "1.0.0";

/** What every record carries: its place in the chain, when it happened and who signed it. */
export interface LedgerRecordBase {
  schemaVersion: string;
  /** 1 for the first record, then +1 per record; the file name is this number, zero-padded. */
  sequence: number;
  /** SHA-256 (hex) of the bytes of the previous record's file; null for record 1. */
  previousSha256: string | null;
  /** When the run or interval happened (the package's generatedAt, the interval's end): never the append time. */
  recordedAt: string;
  /** The Ed25519 key that signed the record's file (detached signature `<sequence>.sig`). */
  signer?: { algorithm: "Ed25519"; publicKeySha256: string };
}

/** A finding the run reported (failing, error or waived), by its identity. */
export interface LedgerFinding {
  controlId: string;
  status: "fail" | "error" | "waived";
  severity: Severity;
  unit: string;
  resource: { kind: string; namespace: string; name: string };
  location: string;
  message: string;
  /** The waiver that covered it (status waived). */
  waiver?: string;
}

/** A waiver in force during the run, with its approval. */
export interface LedgerWaiver {
  id: string;
  control: string;
  state: "active" | "expiring" | "expired";
  owner: string;
  approver: string;
  approved: string;
  ticket: string;
  expires: string;
  justification: string;
  matched: number;
}

/** One gate run, read from its evidence package. */
export interface RunEntry {
  package: {
    /** evidence.json `id` (UUID v5 of the content). */
    id: string;
    /** Where the package is archived (a URL or a path), as given when appending. */
    location: string;
    manifestSha256: string;
    /** SHA-256 of the package's manifest signature file, when signed; with the signer's key fingerprint as the manifest names it. */
    signature?: { sha256: string; signerKeySha256?: string };
    /** Every file of the package (manifest.json and manifest.sig included). */
    files: Array<{ path: string; sha256: string; bytes: number }>;
  };
  tool: { name: string; version: string; policyBundleSha256: string };
  git?: { commit: string; dirty: boolean };
  /** The CI run that produced the package (evidence.json `run.ci`), when one was recorded. */
  ci?: RunIdentity;
  scope: {
    paths: string[];
    config?: string;
    configFiles: Array<{ path: string; role: string; sha256: string }>;
    failOn: Severity;
    profiles: string[];
    units: Array<{ id: string; profile: string }>;
  };
  summary: { exitCode: number; resources: number; failed: number; waived: number; errors: number };
  /** Result per control; `disabled` when the config switched it off everywhere. */
  controls: Array<{
    id: string;
    severity: Severity;
    status: "satisfied" | "not-satisfied" | "not-applicable" | "disabled";
    evaluated: number;
    failed: number;
    waived: number;
    errors: number;
  }>;
  /** Every finding that was not a pass: failing, error and waived. */
  findings: LedgerFinding[];
  waivers: LedgerWaiver[];
}

/** A denied request of the admission webhook, by the object's identity. */
export interface DeniedObject {
  time: string;
  uid: string;
  operation: string;
  kind: string;
  namespace: string;
  name: string;
  user: string;
  decision: string;
  /** Controls whose finding denied it (empty for a denial without evaluation: over a limit, an error). */
  controls: string[];
  reason?: string;
}

/** The webhook's decisions during one interval [from, to). */
export interface AdmissionEntry {
  from: string;
  to: string;
  /** SHA-256 of this interval's decision lines, joined by "\n", as read from the log. */
  sourceSha256: string;
  /** Requests per decision (allowed, denied, warned, skipped, error, over-limit). */
  decisions: Record<string, number>;
  /** Findings per control and action (deny, warn, waived, error), sorted by control then action. */
  controls: Array<{ id: string; action: string; count: number }>;
  denied: DeniedObject[];
}

/** A gate run's record. */
export interface RunRecord extends LedgerRecordBase {
  type: "run";
  run: RunEntry;
}

/** An admission interval's record. */
export interface AdmissionRecord extends LedgerRecordBase {
  type: "admission";
  admission: AdmissionEntry;
}

/** One record of the ledger. */
export type LedgerRecord = RunRecord | AdmissionRecord;

/** A record as read from the ledger, with its file and the SHA-256 of the file's bytes. */
export interface StoredRecord {
  record: LedgerRecord;
  file: string;
  sha256: string;
}
