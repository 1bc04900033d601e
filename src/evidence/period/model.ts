/** What a period report states, computed from the ledger's records alone (no clock, no other input). */
import { createHash } from "node:crypto";
import { UsageError } from "../../errors.js";
import type { AdmissionRecord, DeniedObject, LedgerFinding, RunRecord, StoredRecord } from "../../ledger/types.js";
import { drawSample, sampleSize, SAMPLE_SIZE_RULE } from "./sample.js";

const DAY = 86_400_000;

/** A run of the period with its record's place in the ledger. */
export interface PeriodRun {
  sequence: number;
  recordSha256: string;
  /** The record's signer key fingerprint, when signed. */
  signerKeySha256?: string;
  record: RunRecord;
}

/** One failing finding from the run it first failed in to the run it no longer did. */
export interface FailureEpisode {
  controlId: string;
  severity: string;
  unit: string;
  resource: string;
  scope: string;
  message: string;
  opened: PeriodRun;
  /** The first later run of the same scope where it no longer failed: fixed, or waived. */
  closed?: { run: PeriodRun; how: "fixed" | "waived"; waiver?: string };
  /** Hours from the failing run to the closing run. */
  hoursToClose?: number;
}

/** A waiver seen in force in at least one run of the period. */
export interface PeriodWaiver {
  id: string;
  control: string;
  owner: string;
  approver: string;
  approved: string;
  ticket: string;
  expires: string;
  justification: string;
  states: string[];
  firstSeen: string;
  lastSeen: string;
  runs: number;
  /** Most findings it matched in one run. */
  maxMatched: number;
}

/** Per control, what the webhook's denials and other actions added up to over the period. */
export interface AdmissionControlTotal {
  controlId: string;
  deny: number;
  warn: number;
  waived: number;
  error: number;
}

/** Everything a period report states. */
export interface Period {
  /** Inclusive start and exclusive end (ISO 8601, UTC). */
  start: string;
  end: string;
  /** As given: YYYY-MM-DD (inclusive) or timestamps. */
  label: string;
  ledger: {
    records: number;
    head?: { sequence: number; sha256: string };
    signatures: "valid" | "invalid" | "unchecked";
    checkedKeySha256?: string;
  };
  runs: PeriodRun[];
  failures: FailureEpisode[];
  /** Failing findings still open at the end of the period (the POA&M items). */
  open: FailureEpisode[];
  waivers: PeriodWaiver[];
  /** Whole UTC days of the period without a run, as ranges. */
  gaps: Array<{ from: string; to: string; days: number }>;
  admission: {
    intervals: number;
    decisions: Record<string, number>;
    controls: AdmissionControlTotal[];
    denied: DeniedObject[];
  };
  sample: { seed: string; rule: string; population: number; size: number; runs: PeriodRun[] };
}

/** `2026-01-31` or an ISO timestamp → epoch ms; a date as `end` means the end of that day (exclusive). */
export function periodBound(value: string, which: "from" | "to"): number {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = Date.parse(date ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms) || (!date && !/(Z|[+-]\d{2}:\d{2})$/.test(value)))
    throw new UsageError(`--${which} ${value}: expected a date (YYYY-MM-DD, UTC) or a timestamp with a zone (2026-01-31T12:00:00Z)`);
  return date && which === "to" ? ms + DAY : ms;
}

const resourceLabel = (r: LedgerFinding["resource"]) => (r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`);
const scopeOf = (run: RunRecord) => `${run.run.scope.paths.join(" ")}${run.run.scope.config ? ` (config ${run.run.scope.config})` : ""}`;
const hours = (a: string, b: string) => Math.round(((Date.parse(b) - Date.parse(a)) / 3_600_000) * 10) / 10;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Failure episodes of every run up to the end of the period, per scope, control, unit and resource. */
function failureEpisodes(runs: PeriodRun[]): FailureEpisode[] {
  const episodes: FailureEpisode[] = [];
  const open = new Map<string, FailureEpisode>();
  for (const run of runs) {
    const scope = scopeOf(run.record);
    const now = new Map<string, LedgerFinding>();
    for (const f of run.record.run.findings) now.set(`${scope}\0${f.controlId}\0${f.unit}\0${resourceLabel(f.resource)}`, f);
    for (const [key, episode] of open) {
      if (!key.startsWith(`${scope}\0`)) continue;
      const f = now.get(key);
      if (f && f.status !== "waived") continue;
      episode.closed = { run, how: f ? "waived" : "fixed", ...(f?.waiver ? { waiver: f.waiver } : {}) };
      episode.hoursToClose = hours(episode.opened.record.recordedAt, run.record.recordedAt);
      open.delete(key);
    }
    for (const [key, f] of now) {
      if (f.status === "waived" || open.has(key)) continue;
      const episode: FailureEpisode = {
        controlId: f.controlId,
        severity: f.severity,
        unit: f.unit,
        resource: resourceLabel(f.resource),
        scope,
        message: f.message,
        opened: run,
      };
      open.set(key, episode);
      episodes.push(episode);
    }
  }
  return episodes;
}

function waiversOf(runs: PeriodRun[]): PeriodWaiver[] {
  const byId = new Map<string, PeriodWaiver>();
  for (const { record } of runs)
    for (const w of record.run.waivers) {
      const seen = byId.get(w.id);
      const { id, control, owner, approver, approved, ticket, expires, justification } = w;
      byId.set(id, {
        id,
        control,
        owner,
        approver,
        approved,
        ticket,
        expires,
        justification,
        states: [...new Set([...(seen?.states ?? []), w.state])].sort(),
        firstSeen: seen?.firstSeen ?? record.recordedAt,
        lastSeen: record.recordedAt,
        runs: (seen?.runs ?? 0) + 1,
        maxMatched: Math.max(seen?.maxMatched ?? 0, w.matched),
      });
    }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function gapsOf(start: number, end: number, runs: PeriodRun[]): Period["gaps"] {
  const days = new Set(runs.map((r) => r.record.recordedAt.slice(0, 10)));
  const gaps: Period["gaps"] = [];
  for (let t = Math.floor(start / DAY) * DAY; t < end; t += DAY) {
    if (days.has(day(t))) continue;
    const last = gaps[gaps.length - 1];
    if (last && last.to === day(t - DAY)) Object.assign(last, { to: day(t), days: last.days + 1 });
    else gaps.push({ from: day(t), to: day(t), days: 1 });
  }
  return gaps;
}

function admissionOf(records: AdmissionRecord[]): Period["admission"] {
  const decisions: Record<string, number> = {};
  const controls = new Map<string, AdmissionControlTotal>();
  for (const { admission } of records) {
    for (const [d, n] of Object.entries(admission.decisions)) decisions[d] = (decisions[d] ?? 0) + n;
    for (const c of admission.controls) {
      const total = controls.get(c.id) ?? { controlId: c.id, deny: 0, warn: 0, waived: 0, error: 0 };
      if (c.action === "deny" || c.action === "warn" || c.action === "waived" || c.action === "error") total[c.action] += c.count;
      controls.set(c.id, total);
    }
  }
  return {
    intervals: records.length,
    decisions: Object.fromEntries(Object.entries(decisions).sort(([a], [b]) => a.localeCompare(b))),
    controls: [...controls.values()].sort((a, b) => a.controlId.localeCompare(b.controlId)),
    denied: records.flatMap((r) => r.admission.denied),
  };
}

/** Builds the period from verified records; `seed` defaults to one derived from the ledger head and the period. */
export function buildPeriod(
  stored: StoredRecord[],
  options: { from: string; to: string; ledger: Period["ledger"]; seed?: string; sampleSize?: number },
): Period {
  const start = periodBound(options.from, "from");
  const end = periodBound(options.to, "to");
  if (end <= start) throw new UsageError(`--to ${options.to} is not after --from ${options.from}.`);
  const within = (iso: string) => Date.parse(iso) >= start && Date.parse(iso) < end;
  const allRuns: PeriodRun[] = stored
    .filter((s): s is StoredRecord & { record: RunRecord } => s.record.type === "run")
    .map((s) => ({
      sequence: s.record.sequence,
      recordSha256: s.sha256,
      ...(s.record.signer ? { signerKeySha256: s.record.signer.publicKeySha256 } : {}),
      record: s.record,
    }))
    .sort((a, b) => a.record.recordedAt.localeCompare(b.record.recordedAt) || a.sequence - b.sequence);
  const runs = allRuns.filter((r) => within(r.record.recordedAt));
  const failures = failureEpisodes(allRuns.filter((r) => Date.parse(r.record.recordedAt) < end)).filter(
    (e) => !e.closed || Date.parse(e.closed.run.record.recordedAt) >= start,
  );
  const admission = stored
    .map((s) => s.record)
    .filter((r): r is AdmissionRecord => r.type === "admission" && Date.parse(r.admission.from) < end && Date.parse(r.admission.to) > start)
    .sort((a, b) => a.admission.from.localeCompare(b.admission.from));
  const seed =
    options.seed ??
    createHash("sha256")
      .update(`${options.ledger.head?.sha256 ?? "empty"}:${new Date(start).toISOString()}:${new Date(end).toISOString()}`)
      .digest("hex")
      .slice(0, 16);
  const size = Math.min(runs.length, options.sampleSize ?? sampleSize(runs.length));
  return {
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    label: `${options.from} to ${options.to}`,
    ledger: options.ledger,
    runs,
    failures,
    open: failures.filter((e) => !e.closed),
    waivers: waiversOf(runs),
    gaps: gapsOf(start, end, runs),
    admission: admissionOf(admission),
    sample: {
      seed,
      rule: options.sampleSize === undefined ? SAMPLE_SIZE_RULE : `set by --sample-size ${options.sampleSize}`,
      population: runs.length,
      size,
      runs: drawSample(runs.length, size, seed).map((i) => runs[i]!),
    },
  };
}
