/** The CSV files of a period report (RFC 4180, formula-safe cells, as the package's CSVs). */
import { csvCell } from "../csv.js";
import type { Period, PeriodRun } from "./model.js";

const csv = (rows: Array<Array<string | number>>) => rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
const result = (run: PeriodRun) =>
  run.record.run.summary.exitCode === 0 ? "pass" : run.record.run.summary.exitCode === 1 ? "fail" : "error";

/** runs.csv: every run of the period, the population of changes. */
export function renderRunsCsv(period: Period): string {
  const rows: Array<Array<string | number>> = [
    [
      "ledger_record",
      "record_sha256",
      "recorded_at",
      "commit",
      "dirty",
      "scope",
      "profiles",
      "result",
      "exit_code",
      "resources",
      "failed",
      "waived",
      "errors",
      "controls_not_satisfied",
      "waivers_in_force",
      "tool_version",
      "policy_bundle_sha256",
      "package_id",
      "package_location",
      "manifest_sha256",
      "package_signer_key_sha256",
    ],
  ];
  for (const r of period.runs) {
    const { run } = r.record;
    rows.push([
      r.sequence,
      r.recordSha256,
      r.record.recordedAt,
      run.git?.commit ?? "",
      run.git ? String(run.git.dirty) : "",
      run.scope.paths.join(" "),
      run.scope.profiles.join(" "),
      result(r),
      run.summary.exitCode,
      run.summary.resources,
      run.summary.failed,
      run.summary.waived,
      run.summary.errors,
      run.controls
        .filter((c) => c.status === "not-satisfied")
        .map((c) => c.id)
        .join(" "),
      run.waivers.map((w) => w.id).join(" "),
      run.tool.version,
      run.tool.policyBundleSha256,
      run.package.id,
      run.package.location,
      run.package.manifestSha256,
      run.package.signature?.signerKeySha256 ?? "",
    ]);
  }
  return csv(rows);
}

/** failures.csv: each failing finding, the run it failed in, the run it stopped failing in and the hours between. */
export function renderFailuresCsv(period: Period): string {
  const rows: Array<Array<string | number>> = [
    [
      "control_id",
      "severity",
      "scope",
      "unit",
      "resource",
      "message",
      "failed_at",
      "failed_record",
      "failed_commit",
      "closed_at",
      "closed_record",
      "closed_commit",
      "closed_by",
      "hours_to_close",
      "open_at_period_end",
    ],
  ];
  for (const e of period.failures)
    rows.push([
      e.controlId,
      e.severity,
      e.scope,
      e.unit,
      e.resource,
      e.message,
      e.opened.record.recordedAt,
      e.opened.sequence,
      e.opened.record.run.git?.commit ?? "",
      e.closed?.run.record.recordedAt ?? "",
      e.closed?.run.sequence ?? "",
      e.closed?.run.record.run.git?.commit ?? "",
      e.closed ? (e.closed.how === "waived" ? `waived (${e.closed.waiver ?? "?"})` : "fixed") : "",
      e.hoursToClose ?? "",
      e.closed ? "no" : "yes",
    ]);
  return csv(rows);
}

/** waivers.csv: every waiver in force during the period, with its approval. */
export function renderWaiversCsv(period: Period): string {
  const rows: Array<Array<string | number>> = [
    [
      "waiver_id",
      "control_id",
      "owner",
      "approver",
      "approved",
      "ticket",
      "expires",
      "states",
      "first_seen",
      "last_seen",
      "runs",
      "max_matched",
      "justification",
    ],
  ];
  for (const w of period.waivers)
    rows.push([
      w.id,
      w.control,
      w.owner,
      w.approver,
      w.approved,
      w.ticket,
      w.expires,
      w.states.join(" "),
      w.firstSeen,
      w.lastSeen,
      w.runs,
      w.maxMatched,
      w.justification,
    ]);
  return csv(rows);
}

/** gaps.csv: whole UTC days of the period without a run. */
export function renderGapsCsv(period: Period): string {
  return csv([["from", "to", "days_without_run"], ...period.gaps.map((g) => [g.from, g.to, g.days])]);
}

/** admission-denials.csv: per control, what the webhook did with its findings during the period. */
export function renderAdmissionCsv(period: Period): string {
  return csv([
    ["control_id", "denied", "warned", "waived", "errors"],
    ...period.admission.controls.map((c) => [c.controlId, c.deny, c.warn, c.waived, c.error]),
  ]);
}

/** admission-denied-objects.csv: every request the webhook denied, by the object's identity. */
export function renderDeniedObjectsCsv(period: Period): string {
  return csv([
    ["time", "uid", "operation", "kind", "namespace", "name", "user", "decision", "controls", "reason"],
    ...period.admission.denied.map((d) => [
      d.time,
      d.uid,
      d.operation,
      d.kind,
      d.namespace,
      d.name,
      d.user,
      d.decision,
      d.controls.join(" "),
      d.reason ?? "",
    ]),
  ]);
}

/** sample.csv: the runs drawn for re-performance, in draw order, with the seed and rule on every row. */
export function renderSampleCsv(period: Period): string {
  const { sample } = period;
  return csv([
    [
      "draw",
      "ledger_record",
      "recorded_at",
      "commit",
      "result",
      "package_id",
      "package_location",
      "manifest_sha256",
      "seed",
      "population",
      "sample_size",
      "rule",
    ],
    ...sample.runs.map((r, i) => [
      i + 1,
      r.sequence,
      r.record.recordedAt,
      r.record.run.git?.commit ?? "",
      result(r),
      r.record.run.package.id,
      r.record.run.package.location,
      r.record.run.package.manifestSha256,
      sample.seed,
      sample.population,
      sample.size,
      sample.rule,
    ]),
  ]);
}

/** pass, fail or error: the run's exit code in words. */
export { result as runResult };
