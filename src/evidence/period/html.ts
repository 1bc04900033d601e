/** report.html of a period: one self-contained, print-ready page rendered from the period model. No script, no network. */
import { badge, code, esc, ident, table } from "../html-elements.js";
import { runResult } from "./csv.js";
import type { Period, PeriodRun } from "./model.js";
import { SAMPLE_SIZE_TABLE } from "./sample.js";

const STYLE = `
:root{--ink:#1d2330;--muted:#5d6575;--line:#d9dde5;--bg:#f5f7fa;--accent:#1f4e8c;--ok:#2e7d4f;--bad:#b3261e;--ext:#8a5200;--na:#5d6575}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
main{max-width:1180px;margin:0 auto;padding:32px 40px 56px}
header.cover{border-bottom:3px solid var(--accent);padding-bottom:18px;margin-bottom:24px}
header.cover .eyebrow{color:var(--accent);font-weight:600;letter-spacing:.08em;text-transform:uppercase;font-size:12px}
h1{font-size:28px;margin:4px 0 6px}h2{font-size:20px;margin:36px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line);color:var(--accent)}
.lead{color:var(--muted);margin:0 0 12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:18px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--bg)}
.card .n{font-size:24px;font-weight:700;display:block}.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.days{display:flex;flex-wrap:wrap;gap:3px;margin:8px 0 16px}.days span{width:14px;height:14px;border-radius:3px;background:var(--line)}
.days span.ok{background:var(--ok)}.days span.bad{background:var(--bad)}
table{width:100%;border-collapse:collapse;margin:8px 0 16px;font-size:12.5px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}
thead th{background:var(--bg);font-weight:600;border-bottom:2px solid var(--line)}
td.empty{color:var(--muted);font-style:italic}
tr{break-inside:avoid}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:var(--bg);padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
code.id{white-space:nowrap}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:10px;border:1px solid currentColor;white-space:nowrap}
.badge.ok{color:var(--ok)}.badge.bad{color:var(--bad)}.badge.ext{color:var(--ext)}.badge.na{color:var(--na)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:8px 0 16px}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
@page{size:A4;margin:16mm 14mm}
@media print{body{font-size:10.5px}main{max-width:none;padding:0}thead{display:table-header-group}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
@media (max-width:800px){main{padding:16px}}
`;

const card = (n: string | number, k: string) => `<div class="card"><span class="n">${esc(n)}</span><span class="k">${esc(k)}</span></div>`;
const runBadge = (r: PeriodRun) => badge(runResult(r) === "pass" ? "pass" : runResult(r) === "fail" ? "fail" : "error");
/** A package link only for http(s) URLs; anything else is shown as text. */
const packageLink = (location: string) =>
  /^https?:\/\//i.test(location) ? `<a href="${esc(location)}" rel="noreferrer">${esc(location)}</a>` : code(location);
const short = (sha: string | undefined) => (sha ? code(sha.slice(0, 12)) : "–");

/** One square per day of the period: green with a passing last run, red with a failing one, grey without a run. */
function dayStrip(period: Period): string {
  const lastRun = new Map<string, PeriodRun>();
  for (const r of period.runs) lastRun.set(r.record.recordedAt.slice(0, 10), r);
  const days: string[] = [];
  for (let t = Date.parse(period.start); t < Date.parse(period.end); t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    const r = lastRun.get(d);
    const tone = r ? (runResult(r) === "pass" ? "ok" : "bad") : "";
    days.push(`<span class="${tone}" title="${esc(d)}: ${r ? `last run ${esc(runResult(r))}` : "no run"}"></span>`);
  }
  return `<div class="days" role="img" aria-label="Days of the period: green passing, red failing, grey without a run">${days.join("")}</div>`;
}

/** The whole period report. */
export function renderPeriodHtml(period: Period): string {
  const failing = period.runs.filter((r) => runResult(r) !== "pass").length;
  const gapDays = period.gaps.reduce((n, g) => n + g.days, 0);
  const denied = period.admission.decisions.denied ?? 0;
  const ledger = period.ledger;
  const signatures =
    ledger.signatures === "valid"
      ? `every record signed by the key with SHA-256 ${code(ledger.checkedKeySha256 ?? "")}`
      : "NOT CHECKED: no public key was given when this report was built; run <code>erlmcp-audit ledger verify --public-key</code>";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>erlmcp-audit period report ${esc(period.label)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="cover">
<div class="eyebrow">erlmcp-audit · period report</div>
<h1>Operation of the automated configuration checks</h1>
<p class="lead">${esc(period.start)} to ${esc(period.end)} (UTC; end exclusive), read from a hash-chained ledger of ${esc(ledger.records)} record(s).</p>
<dl class="facts">
<dt>Ledger head</dt><dd>${ledger.head ? `record ${esc(ledger.head.sequence)}, SHA-256 ${code(ledger.head.sha256)}` : "empty ledger"}</dd>
<dt>Chain</dt><dd>intact: every record carries the SHA-256 of the one before it, numbered without gap</dd>
<dt>Signatures</dt><dd>${signatures}</dd>
</dl>
</header>

<section id="summary">
<h2>Summary</h2>
<div class="cards">${card(period.runs.length, "runs")}${card(failing, "failing runs")}${card(period.failures.length, "failures")}${card(period.open.length, "open at end")}${card(period.waivers.length, "waivers in force")}${card(gapDays, "days without a run")}${card(denied, "admission denials")}</div>
${dayStrip(period)}
<p>What this shows: that the gate ran on the days and commits listed, with the results recorded at the time, and that the admission webhook decided the requests counted below. It does not show the runtime state of the cluster, changes deployed without passing the gate, or operation on days without a record.</p>
</section>

<section id="runs">
<h2>Runs (the population)</h2>
${table(
  ["Record", "Time", "Commit", "Scope", "Result", "Failing", "Waived", "Package"],
  period.runs.map((r) => [
    esc(r.sequence),
    esc(r.record.recordedAt),
    short(r.record.run.git?.commit),
    esc(r.record.run.scope.paths.join(" ")),
    runBadge(r),
    esc(r.record.run.summary.failed),
    esc(r.record.run.summary.waived),
    `${code(r.record.run.package.id)}`,
  ]),
)}
</section>

<section id="failures">
<h2>Failures and time to fix</h2>
${table(
  ["Control", "Resource", "Failed (record)", "Closed (record)", "How", "Hours"],
  period.failures.map((e) => [
    ident(e.controlId),
    `${esc(e.resource)}<br><span class="lead">${esc(e.unit)}</span>`,
    `${esc(e.opened.record.recordedAt)} (${esc(e.opened.sequence)})`,
    e.closed ? `${esc(e.closed.run.record.recordedAt)} (${esc(e.closed.run.sequence)})` : badge("fail") + " open at the end",
    e.closed ? esc(e.closed.how === "waived" ? `waived (${e.closed.waiver ?? "?"})` : "fixed") : "–",
    esc(e.hoursToClose ?? "–"),
  ]),
)}
</section>

<section id="waivers">
<h2>Waivers in force during the period</h2>
${table(
  ["Waiver", "Control", "Approved", "Ticket", "Expires", "Runs", "State"],
  period.waivers.map((w) => [
    ident(w.id),
    ident(w.control),
    `${esc(w.approver)}<br>${esc(w.approved)}`,
    esc(w.ticket),
    esc(w.expires),
    esc(w.runs),
    w.states.map((s) => badge(s as "active" | "expiring" | "expired")).join(" "),
  ]),
)}
</section>

<section id="gaps">
<h2>Gaps in the record</h2>
${table(
  ["From", "To", "Days without a run"],
  period.gaps.map((g) => [esc(g.from), esc(g.to), esc(g.days)]),
)}
</section>

<section id="admission">
<h2>Admission control</h2>
<p class="lead">${esc(period.admission.intervals)} recorded interval(s); decisions: ${
    Object.entries(period.admission.decisions)
      .map(([d, n]) => `${esc(n)} ${esc(d)}`)
      .join(", ") || "none"
  }.</p>
${table(
  ["Control", "Denied", "Warned", "Waived", "Errors"],
  period.admission.controls.map((c) => [ident(c.controlId), esc(c.deny), esc(c.warn), esc(c.waived), esc(c.error)]),
)}
${table(
  ["Time", "Operation", "Object", "User", "Controls"],
  period.admission.denied.map((d) => [
    esc(d.time),
    esc(d.operation),
    esc(d.namespace ? `${d.kind} ${d.namespace}/${d.name}` : `${d.kind} ${d.name}`),
    esc(d.user),
    d.controls.map(ident).join(" ") || esc(d.reason ?? d.decision),
  ]),
)}
</section>

<section id="sample">
<h2>Sample for re-performance</h2>
<dl class="facts">
<dt>Seed</dt><dd>${code(period.sample.seed)}</dd>
<dt>Population</dt><dd>${esc(period.sample.population)} run(s)</dd>
<dt>Sample size</dt><dd>${esc(period.sample.size)}: ${esc(period.sample.rule)}</dd>
<dt>Draw</dt><dd>Fisher–Yates over the runs in time order, step <i>j</i> using the first 48 bits of SHA-256("seed:<i>j</i>")</dd>
</dl>
${table(
  ["Draw", "Record", "Time", "Commit", "Result", "Package", "manifest.json SHA-256"],
  period.sample.runs.map((r, i) => [
    esc(i + 1),
    esc(r.sequence),
    esc(r.record.recordedAt),
    short(r.record.run.git?.commit),
    runBadge(r),
    packageLink(r.record.run.package.location),
    code(r.record.run.package.manifestSha256),
  ]),
)}
<p class="lead">Size table: ${SAMPLE_SIZE_TABLE.map((row) => `${row.frequency} ${row.size}`).join(", ")}.</p>
</section>
<footer>Rebuild this report from the ledger with <code>erlmcp-audit evidence period</code> and the same dates and seed: the files are byte-identical. See docs/auditor-guide.md.</footer>
</main>
</body>
</html>
`;
}
