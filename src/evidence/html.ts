/** report.html: one self-contained, print-ready file rendered from evidence.json. No script, no network. */
import type { Domain } from "../catalog/types.js";
import type { CriterionStatus, Evidence, EvidenceFramework } from "./model.js";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
/** Escapes text for element content and quoted attribute values. Every manifest-derived string goes through it. */
export const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

type Status = CriterionStatus | "pass" | "fail" | "waived" | "error" | "active" | "expiring" | "expired";
const STATUS: Record<Status, { symbol: string; label: string; tone: string }> = {
  satisfied: { symbol: "✓", label: "Satisfied", tone: "ok" },
  "not-satisfied": { symbol: "✗", label: "Not satisfied", tone: "bad" },
  "not-applicable": { symbol: "–", label: "Not applicable", tone: "na" },
  "needs-external-evidence": { symbol: "◐", label: "Needs external evidence", tone: "ext" },
  pass: { symbol: "✓", label: "Pass", tone: "ok" },
  fail: { symbol: "✗", label: "Fail", tone: "bad" },
  waived: { symbol: "⚑", label: "Waived", tone: "ext" },
  error: { symbol: "!", label: "Error", tone: "bad" },
  active: { symbol: "✓", label: "Active", tone: "ok" },
  expiring: { symbol: "⚠", label: "Expiring", tone: "ext" },
  expired: { symbol: "✗", label: "Expired", tone: "bad" },
};
const badge = (s: Status) =>
  `<span class="badge ${STATUS[s].tone}"><span aria-hidden="true">${STATUS[s].symbol}</span> ${STATUS[s].label}</span>`;
const table = (head: string[], rows: string[][], cls = "") =>
  `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join("")}</tr></thead><tbody>${
    rows.length
      ? rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")
      : `<tr><td colspan="${head.length}" class="empty">None.</td></tr>`
  }</tbody></table>`;
const code = (s: string) => `<code>${esc(s)}</code>`;
/** Control and waiver IDs stay on one line. */
const ident = (s: string) => `<code class="id">${esc(s)}</code>`;
const resourceLabel = (r: { kind: string; namespace: string; name: string }) =>
  r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;

const DOMAINS: Record<string, string> = {
  net: "Network",
  iam: "Access (RBAC)",
  sec: "Secrets",
  pod: "Pod security",
  avl: "Availability",
  res: "Resources",
  obs: "Observability",
  chg: "Change",
  tls: "TLS",
  bak: "Backup",
} satisfies Record<Domain, string>;
const CHART_ORDER: CriterionStatus[] = ["satisfied", "not-satisfied", "needs-external-evidence", "not-applicable"];
const TONE: Record<CriterionStatus, string> = {
  satisfied: "ok",
  "not-satisfied": "bad",
  "needs-external-evidence": "ext",
  "not-applicable": "na",
};
const fill = (chart: string, s: CriterionStatus) => `url(#${chart}-${TONE[s]})`;
/** Solid, hatched, dotted and cross-hatched fills: the statuses differ without colour too. */
const patterns = (chart: string) => `<defs>
<pattern id="${chart}-ok" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#2e7d4f"/></pattern>
<pattern id="${chart}-bad" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#b3261e"/><rect width="2" height="6" fill="#fff" opacity=".55"/></pattern>
<pattern id="${chart}-ext" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#b26a00"/><circle cx="3" cy="3" r="1.3" fill="#fff" opacity=".7"/></pattern>
<pattern id="${chart}-na" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="6" height="6" fill="#8a8f98"/><rect width="1" height="6" fill="#fff" opacity=".6"/></pattern>
</defs>`;

/** Horizontal stacked bars: one per row, each segment labelled with its count; colour, pattern and legend symbol all differ. */
function stackedChart(
  chart: string,
  title: string,
  rows: Array<{ label: string; counts: Record<CriterionStatus, number> }>,
  legend: Partial<Record<CriterionStatus, string>>,
): string {
  const labelWidth = 150;
  const barWidth = 420;
  const rowHeight = 30;
  const height = rows.length * rowHeight + 8;
  const described = rows
    .map(
      (r) =>
        `${r.label}: ${CHART_ORDER.filter((s) => r.counts[s])
          .map((s) => `${r.counts[s]} ${(legend[s] ?? s).toLowerCase()}`)
          .join(", ")}`,
    )
    .join("; ");
  const bars = rows
    .map((r, i) => {
      const total = CHART_ORDER.reduce((n, s) => n + r.counts[s], 0) || 1;
      let x = labelWidth;
      const segments = CHART_ORDER.filter((s) => r.counts[s])
        .map((s) => {
          const w = (r.counts[s] / total) * barWidth;
          const seg = `<rect x="${x.toFixed(1)}" y="${i * rowHeight + 4}" width="${w.toFixed(1)}" height="20" fill="${fill(chart, s)}" stroke="#fff"/>${
            w >= 18 ? `<text x="${(x + w / 2).toFixed(1)}" y="${i * rowHeight + 18}" class="seg">${r.counts[s]}</text>` : ""
          }`;
          x += w;
          return seg;
        })
        .join("");
      return `<text x="0" y="${i * rowHeight + 18}" class="lbl">${esc(r.label)}</text>${segments}<text x="${labelWidth + barWidth + 6}" y="${i * rowHeight + 18}" class="lbl">${total}</text>`;
    })
    .join("");
  const keys = CHART_ORDER.filter((s) => legend[s])
    .map(
      (s) =>
        `<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${fill(chart, s)}"/></svg> <span aria-hidden="true">${STATUS[s].symbol}</span> ${esc(legend[s]!)}</li>`,
    )
    .join("");
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption>
<svg viewBox="0 0 ${labelWidth + barWidth + 40} ${height}" role="img" aria-label="${esc(`${title}. ${described}`)}"><title>${esc(title)}</title>${patterns(chart)}${bars}</svg>
<ul class="legend">${keys}</ul></figure>`;
}

function matrix(fw: EvidenceFramework): string {
  const rows = fw.criteria.map((c) => [
    `<strong>${esc(c.id)}</strong>`,
    esc(c.title),
    badge(c.status),
    c.basis.length ? esc(c.basis.join(" ")) : "–",
    c.controls.length
      ? `<ul class="plain">${c.controls
          .map(
            (m) =>
              `<li>${ident(m.id)} <span class="muted">${STATUS[m.status].symbol} ${esc(m.basis.join("/"))}</span> — ${esc(m.rationale)}</li>`,
          )
          .join("")}</ul>`
      : `<span class="muted">No control maps here.</span>`,
    c.external ? esc(c.external) : "–",
  ]);
  const counts = CHART_ORDER.map((s) => `${fw.counts[s]} ${STATUS[s].label.toLowerCase()}`).join(" · ");
  return `<section class="page" id="matrix-${esc(fw.id)}"><h2>Control matrix: ${esc(fw.name)}</h2>
<p class="lead">${esc(fw.criteria.length)} criteria: ${esc(counts)}. Mapping basis: K Kubescape, P Prowler, A AICPA→NIST 800-53, J our judgement. The mapping is management's assertion; the auditor judges it.</p>
${table(["Criterion", "Title (paraphrased)", "Status", "Basis", "Our controls — status, basis, rationale", "Evidence needed from outside the manifests"], rows, "matrix")}</section>`;
}

const STYLE = `
:root{--ink:#1d2330;--muted:#5d6575;--line:#d9dde5;--bg:#f5f7fa;--accent:#1f4e8c;--ok:#2e7d4f;--bad:#b3261e;--ext:#8a5200;--na:#5d6575}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
main{max-width:1180px;margin:0 auto;padding:32px 40px 56px}
header.cover{border-bottom:3px solid var(--accent);padding-bottom:18px;margin-bottom:24px}
header.cover .eyebrow{color:var(--accent);font-weight:600;letter-spacing:.08em;text-transform:uppercase;font-size:12px}
h1{font-size:28px;margin:4px 0 6px}h2{font-size:20px;margin:36px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line);color:var(--accent)}
h3{font-size:15px;margin:20px 0 8px}
.lead{color:var(--muted);margin:0 0 12px}
.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:18px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--bg)}
.card .n{font-size:24px;font-weight:700;display:block}.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.verdict{display:inline-block;font-weight:700;padding:4px 12px;border-radius:6px;border:2px solid currentColor}
.verdict.ok{color:var(--ok)}.verdict.bad{color:var(--bad)}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:20px;align-items:start}
figure.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:12px 14px;break-inside:avoid}
figure.chart figcaption{font-weight:600;margin-bottom:6px}
figure.chart>svg{width:100%;height:auto;display:block}
svg text.lbl{font-size:12px;fill:#1d2330}svg text.seg{font-size:11px;fill:#fff;font-weight:700;text-anchor:middle;paint-order:stroke;stroke:rgba(0,0,0,.6);stroke-width:2.5px}
ul.legend{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px}
ul.legend li{display:flex;align-items:center;gap:5px}ul.legend svg{flex:none}
table{width:100%;border-collapse:collapse;margin:8px 0 16px;font-size:12.5px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
thead th{background:var(--bg);font-weight:600;border-bottom:2px solid var(--line)}
td.empty{color:var(--muted);font-style:italic}
tr{break-inside:avoid}
table.matrix td:nth-child(1){white-space:nowrap}table.matrix td:nth-child(3){white-space:nowrap}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:var(--bg);padding:1px 4px;border-radius:3px;overflow-wrap:break-word}
table.inputs code,dl.facts code{overflow-wrap:anywhere}
code.id,.nw{white-space:nowrap}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:10px;border:1px solid currentColor;white-space:nowrap}
.badge.ok{color:var(--ok)}.badge.bad{color:var(--bad)}.badge.ext{color:var(--ext)}.badge.na{color:var(--na)}
ul.plain{list-style:none;margin:0;padding:0}ul.plain li{margin:0 0 3px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:8px 0 16px}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
nav.toc ol{columns:2;margin:0;padding-left:20px}
footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
@page{size:A4;margin:16mm 14mm}
@media print{
  body{font-size:10.5px}main{max-width:none;padding:0}
  .charts{grid-template-columns:1fr 1fr}
  section.page{break-before:page}
  h2,h3{break-after:avoid}
  thead{display:table-header-group}
  nav.toc{display:none}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
@media (max-width:800px){.charts{grid-template-columns:1fr}main{padding:16px}}
`;

export function renderHtml(e: Evidence): string {
  const passed = e.summary.exitCode === 0;
  const domains = [...new Set(e.controls.map((c) => c.domain))].sort((a, b) => (DOMAINS[a] ?? a).localeCompare(DOMAINS[b] ?? b));
  const byDomain = domains.map((d) => {
    const counts = { satisfied: 0, "not-satisfied": 0, "not-applicable": 0, "needs-external-evidence": 0 };
    for (const c of e.controls.filter((x) => x.domain === d)) counts[c.status]++;
    return { label: DOMAINS[d] ?? d, counts };
  });
  const byFramework = e.frameworks.map((f) => ({ label: f.id === "soc2" ? "SOC 2" : "ISO 27001", counts: f.counts }));
  const failures = e.findings.filter((f) => f.status !== "waived");
  const waived = e.findings.filter((f) => f.status === "waived");
  const distinct = new Map<string, { kind: string; namespace: string; name: string; units: number; evaluated: boolean }>();
  for (const r of e.population) {
    const key = `${r.kind}\0${r.namespace}\0${r.name}`;
    const entry = distinct.get(key) ?? { kind: r.kind, namespace: r.namespace, name: r.name, units: 0, evaluated: r.evaluated };
    entry.units++;
    distinct.set(key, entry);
  }
  const sections = [
    ["summary", "Summary"],
    ["scope", "Scope and inputs"],
    ["population", "Population"],
    ...e.frameworks.map((f) => [`matrix-${f.id}`, `Control matrix: ${f.name}`]),
    ["controls", "Controls"],
    ["findings", "Failures"],
    ["waivers", "Waiver register"],
    ["tool", "Tool identity and verification"],
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Compliance evidence — ${esc(e.scope.paths.join(", "))}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="cover">
<div class="eyebrow">Compliance evidence · ${esc(e.frameworks.map((f) => f.name).join(" · "))}</div>
<h1>Kubernetes configuration audit: ${esc(e.scope.paths.join(", "))}</h1>
<p class="lead">Generated ${esc(e.generatedAt)} (UTC) by ${esc(e.tool.name)} ${esc(e.tool.version)} · evidence ${code(e.id)}${
    e.scope.git ? ` · commit ${code(e.scope.git.commit)}${e.scope.git.dirty ? " (uncommitted changes to the inputs)" : ""}` : ""
  }</p>
</header>
<nav class="toc" aria-label="Contents"><ol>${sections.map(([id, t]) => `<li><a href="#${esc(id)}">${esc(t)}</a></li>`).join("")}</ol></nav>

<section id="summary"><h2>Summary</h2>
<p><span class="verdict ${passed ? "ok" : "bad"}">${passed ? "✓ PASS" : "✗ FAIL"}</span> <span class="muted">at fail-on ${esc(e.scope.failOn)}: ${
    passed ? "no failing finding, no expired waiver, no input error." : "see Failures and the waiver register."
  }</span></p>
<div class="cards">
<div class="card"><span class="n">${e.reconciliation.inputFiles}</span><span class="k">Input files</span></div>
<div class="card"><span class="n">${e.reconciliation.units}</span><span class="k">Manifest sets</span></div>
<div class="card"><span class="n">${e.reconciliation.resources}</span><span class="k">Resources</span></div>
<div class="card"><span class="n">${e.controls.length}</span><span class="k">Controls</span></div>
<div class="card"><span class="n">${e.summary.failed}</span><span class="k">Failing findings</span></div>
<div class="card"><span class="n">${e.summary.waived}</span><span class="k">Waived findings</span></div>
</div>
<div class="charts">
${stackedChart("fw", "Criteria by framework", byFramework, {
  satisfied: "Satisfied",
  "not-satisfied": "Not satisfied",
  "needs-external-evidence": "Needs external evidence",
  "not-applicable": "Not applicable",
})}
${stackedChart("dom", "Controls by domain", byDomain, {
  satisfied: "Satisfied",
  "not-satisfied": "Not satisfied",
  "not-applicable": "Not applicable (nothing to evaluate)",
})}
</div>
</section>

<section id="scope"><h2>Scope and inputs</h2>
<dl class="facts">
<dt>Paths audited</dt><dd>${e.scope.paths.map(code).join(" ")}</dd>
<dt>Git commit</dt><dd>${e.scope.git ? `${code(e.scope.git.commit)}${e.scope.git.dirty ? " — inputs have uncommitted changes" : " — inputs clean"}` : "not recorded"}</dd>
<dt>Configuration</dt><dd>${e.scope.config ? code(e.scope.config) : "none"}</dd>
<dt>Profiles</dt><dd>${esc(e.scope.profiles.join(", "))}</dd>
<dt>Frameworks</dt><dd>${esc(e.frameworks.map((f) => f.name).join("; "))}</dd>
</dl>
<h3>Manifest sets (units)</h3>
${table(
  ["Unit", "Kind", "Rendered from", "Profile", "Resources", "Kinds not evaluated"],
  e.units.map((u) => [
    code(u.id),
    esc(u.kind),
    `${code(u.path)}${u.values ? ` with ${code(u.values)}` : ""}`,
    esc(u.profile),
    esc(u.resources),
    esc(u.unevaluatedKinds.join(", ") || "–"),
  ]),
)}
<h3>Input files (SHA-256)</h3>
${table(
  ["File", "Bytes", "SHA-256"],
  e.inputs.map((i) => [code(i.path), esc(i.bytes), code(i.sha256)]),
  "inputs",
)}
</section>

<section id="population"><h2>Population</h2>
<p class="lead">Reconciliation: ${e.reconciliation.inputFiles} input files → ${e.reconciliation.units} manifest sets → ${e.reconciliation.resources} resources → ${
    e.reconciliation.evaluated
  } evaluated by at least one control, ${e.reconciliation.notEvaluated} of kinds no control inspects. ${distinct.size} distinct resources (one resource may appear in several sets).</p>
${table(
  ["Kind", "Resources", "Evaluated"],
  e.reconciliation.byKind.map((k) => [
    esc(k.kind),
    esc(k.resources),
    k.evaluated ? badge("pass").replace("Pass", "Yes") : badge("not-applicable").replace("Not applicable", "No"),
  ]),
)}
<h3>Every in-scope resource</h3>
${table(
  ["Kind", "Namespace", "Name", "Sets", "Evaluated"],
  [...distinct.values()]
    .sort((a, b) => `${a.kind}\0${a.namespace}\0${a.name}`.localeCompare(`${b.kind}\0${b.namespace}\0${b.name}`))
    .map((r) => [esc(r.kind), esc(r.namespace || "–"), code(r.name), esc(r.units), r.evaluated ? "yes" : "no"]),
)}
</section>

${e.frameworks.map(matrix).join("\n")}

<section class="page" id="controls"><h2>Controls</h2>
${table(
  ["Control", "Title", "Severity", "Evaluated", "Failed", "Waived", "Errors", "Status"],
  e.controls.map((c) => [
    ident(c.id),
    esc(c.title),
    esc(c.severity),
    esc(c.evaluated),
    esc(c.failed),
    esc(c.waived),
    esc(c.errors),
    badge(c.status),
  ]),
)}
</section>

<section id="findings"><h2>Failures</h2>
${table(
  ["Control", "Severity", "Resource", "Location", "Finding", "Remediation"],
  failures.map((f) => [
    ident(f.controlId),
    esc(f.severity),
    `${esc(resourceLabel(f.resource))}<br><span class="muted">${esc(f.unit)}</span>`,
    code(f.location),
    `${badge(f.status)} ${esc(f.message)}`,
    esc(f.remediation),
  ]),
)}
<h3>Waived findings</h3>
${table(
  ["Control", "Resource", "Location", "Finding", "Waiver"],
  waived.map((f) => [
    ident(f.controlId),
    `${esc(resourceLabel(f.resource))}<br><span class="muted">${esc(f.unit)}</span>`,
    code(f.location),
    esc(f.message),
    ident(f.waiver ?? ""),
  ]),
)}
${
  e.inputErrors.length
    ? `<h3>Input errors</h3>${table(
        ["File", "Code", "Message"],
        e.inputErrors.map((i) => [code(`${i.file}${i.line ? `:${i.line}` : ""}`), esc(i.code), esc(i.message)]),
      )}`
    : ""
}
</section>

<section id="waivers"><h2>Waiver register</h2>
${table(
  ["Waiver", "Control", "Owner", "Approver", "Ticket", "Expires", "Status", "Matched", "Justification"],
  e.waivers.map((w) => [
    ident(w.id),
    ident(w.control),
    esc(w.owner),
    esc(w.approver),
    `<span class="nw">${esc(w.ticket)}</span>`,
    `<span class="nw">${esc(w.expires)}</span>`,
    badge(w.state),
    esc(w.matched),
    esc(w.justification),
  ]),
)}
</section>

<section id="tool"><h2>Tool identity and verification</h2>
<dl class="facts">
<dt>Tool</dt><dd>${esc(e.tool.name)} ${esc(e.tool.version)}</dd>
<dt>Policy bundle SHA-256</dt><dd>${code(e.tool.policyBundleSha256 || "none")}</dd>
<dt>OPA (wasm build)</dt><dd>${esc(e.tool.opaVersion || "–")}</dd>
<dt>Engines</dt><dd>${esc(e.tool.engines.join(", "))}</dd>
<dt>Renderers (pinned)</dt><dd>${esc(
    Object.entries(e.tool.renderers)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "–",
  )}</dd>
<dt>Run timestamp (UTC)</dt><dd>${esc(e.generatedAt)}</dd>
<dt>Evidence ID</dt><dd>${code(e.id)} (evidence.json schema ${esc(e.schemaVersion)})</dd>
</dl>
<p>Every file of this package is listed with its SHA-256 in <code>manifest.json</code>; a signed package carries a detached Ed25519 signature in <code>manifest.sig</code>. Check both with <code>erlmcp-audit verify &lt;folder&gt; --public-key &lt;key.pem&gt;</code>: it fails on any changed, missing or extra byte.</p>
</section>
<footer>Framework titles are paraphrases; criteria IDs belong to the AICPA and ISO. This report is rendered from <code>evidence.json</code> and contains no scripts.</footer>
</main>
</body>
</html>
`;
}
