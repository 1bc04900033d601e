/**
 * The webhook's JSON decision log (`serve`: one JSON object a line; decisions have msg "admission
 * decision") turned into one ledger entry per interval: requests per decision, findings per control
 * and action, and every denied object.
 */
import type { DecisionRecord } from "../admission/types.js";
import { UsageError } from "../errors.js";
import { sha256 } from "../digest.js";
import type { AdmissionEntry, DeniedObject } from "./types.js";

const DECISION_MESSAGE = "admission decision";
const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m`, `1h`, `1d` → milliseconds; the interval must divide a day so that intervals align on UTC midnight. */
export function parseInterval(value: string): number {
  const m = /^(\d+)([mhd])$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]!]! : 0;
  if (!m || ms <= 0 || (ms < UNITS.d! ? UNITS.d! % ms !== 0 : ms !== UNITS.d))
    throw new UsageError(`--interval ${value}: expected a duration that divides a day, such as 15m, 1h, 6h or 1d`);
  return ms;
}

type LoggedDecision = DecisionRecord & { time: string; msg: string };

/** The decision lines of a log, with their line numbers; other JSON lines (events) are skipped, a line that is not JSON is an error. */
function decisionLines(text: string, source: string): Array<{ line: string; decision: LoggedDecision; lineNumber: number }> {
  const out: Array<{ line: string; decision: LoggedDecision; lineNumber: number }> = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new UsageError(`${source}:${index + 1}: not a JSON line of the webhook's log`);
    }
    const d = parsed as Partial<LoggedDecision> | null;
    if (typeof d !== "object" || d === null || d.msg !== DECISION_MESSAGE) return;
    if (
      typeof d.time !== "string" ||
      Number.isNaN(Date.parse(d.time)) ||
      typeof d.decision !== "string" ||
      !Array.isArray(d.controls ?? [])
    )
      throw new UsageError(`${source}:${index + 1}: a decision without a valid time, decision or controls list`);
    out.push({ line, decision: { ...d, controls: d.controls ?? [] } as LoggedDecision, lineNumber: index + 1 });
  });
  return out;
}

const denied = (d: LoggedDecision): DeniedObject => ({
  time: new Date(d.time).toISOString(),
  uid: String(d.uid ?? ""),
  operation: String(d.operation ?? ""),
  kind: String(d.kind ?? ""),
  namespace: String(d.namespace ?? ""),
  name: String(d.name ?? ""),
  user: String(d.user ?? ""),
  decision: d.decision,
  controls: [...new Set(d.controls.filter((c) => c.action === "deny").map((c) => c.id))].sort(),
  ...(d.reason ? { reason: String(d.reason) } : {}),
});

/** One entry per interval that holds at least one decision, oldest first. */
export function admissionEntries(text: string, intervalMs: number, source = "decision log"): AdmissionEntry[] {
  const byInterval = new Map<number, LoggedDecision[]>();
  const lines = new Map<number, string[]>();
  for (const { line, decision } of decisionLines(text, source)) {
    const start = Math.floor(Date.parse(decision.time) / intervalMs) * intervalMs;
    byInterval.set(start, [...(byInterval.get(start) ?? []), decision]);
    lines.set(start, [...(lines.get(start) ?? []), line]);
  }
  return [...byInterval.keys()]
    .sort((a, b) => a - b)
    .map((start) => {
      const decisions = byInterval.get(start)!;
      const perDecision: Record<string, number> = {};
      const perControl = new Map<string, number>();
      for (const d of decisions) {
        perDecision[d.decision] = (perDecision[d.decision] ?? 0) + 1;
        for (const c of d.controls) perControl.set(`${c.id}\0${c.action}`, (perControl.get(`${c.id}\0${c.action}`) ?? 0) + 1);
      }
      return {
        from: new Date(start).toISOString(),
        to: new Date(start + intervalMs).toISOString(),
        sourceSha256: sha256(lines.get(start)!.join("\n")),
        decisions: Object.fromEntries(Object.entries(perDecision).sort(([a], [b]) => a.localeCompare(b))),
        controls: [...perControl]
          .map(([k, count]) => {
            const [id, action] = k.split("\0") as [string, string];
            return { id, action, count };
          })
          .sort((a, b) => a.id.localeCompare(b.id) || a.action.localeCompare(b.action)),
        denied: decisions
          .filter((d) => d.allowed === false)
          .map(denied)
          .sort((a, b) => a.time.localeCompare(b.time) || a.uid.localeCompare(b.uid)),
      };
    });
}
