/** report.html: one self-contained, print-ready file rendered from evidence.json. No script, no network. */
import { code, esc } from "./html-elements.js";
import { controlsSection, findingsSection, matrixSection, waiversSection } from "./html-results.js";
import { populationSection, scopeSection } from "./html-scope.js";
import { summarySection } from "./html-summary.js";
import { toolSection } from "./html-tool.js";
import { configurationSection, custodyBanner, exceptionsSection, limitationsSection } from "./html-custody.js";
import type { Evidence } from "./model.js";

export { esc } from "./html-elements.js";

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
p.custody{padding:6px 10px;border-left:4px solid currentColor;background:var(--bg)}p.custody.ok{color:var(--ok)}p.custody.bad{color:var(--bad)}
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
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:var(--bg);padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
.nw{white-space:nowrap}
td,th{overflow-wrap:anywhere}
table.failures td{min-width:9em}table.failures td:nth-last-child(2),table.failures td:nth-child(3){min-width:13em}
p.fix{margin:4px 0 8px;max-width:75em}
div.control-failures{break-inside:auto}div.control-failures h3{break-after:avoid}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:10px;border:1px solid currentColor;white-space:nowrap}
.badge.ok{color:var(--ok)}.badge.bad{color:var(--bad)}.badge.ext{color:var(--ext)}.badge.na{color:var(--na)}
ul.plain{list-style:none;margin:0;padding:0}ul.plain li{margin:0 0 3px}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 18px;margin:8px 0 16px}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
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

/**
 * The inputs the report is about: the paths as given, or (none given, or only `.`) the paths of the
 * units audited; at most three named, then how many more.
 */
export function inputsLabel(e: Pick<Evidence, "scope" | "units">): string {
  const given = e.scope.paths.filter((p) => p !== "." && p !== "./");
  const paths = given.length ? given : [...new Set(e.units.map((u) => u.path))].sort();
  if (!paths.length) return e.scope.paths.join(", ") || "no inputs";
  return paths.length <= 3 ? paths.join(", ") : `${paths.slice(0, 3).join(", ")} and ${paths.length - 3} more`;
}

/** The whole report: cover, contents, then summary, scope, population, a control matrix per framework, controls, failures, waivers and tool identity. */
export function renderHtml(e: Evidence): string {
  const sections = [
    ["summary", "Summary"],
    ["limitations", "Limitations"],
    ["scope", "Scope and inputs"],
    ["population", "Population"],
    ...e.frameworks.map((f) => [`matrix-${f.id}`, `Control matrix: ${f.name}`]),
    ["controls", "Controls"],
    ["configuration", "Configuration of each control"],
    ["exceptions", "Exceptions"],
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
<title>Compliance evidence — ${esc(inputsLabel(e))}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="cover">
<div class="eyebrow">Compliance evidence · ${esc(e.frameworks.map((f) => f.name).join(" · "))}</div>
<h1>Kubernetes configuration audit: ${esc(inputsLabel(e))}</h1>
<p class="lead">Generated ${esc(e.generatedAt)} (UTC) by ${esc(e.tool.name)} ${esc(e.tool.version)} · evidence ${code(e.id)}${
    e.scope.git ? ` · commit ${code(e.scope.git.commit)}${e.scope.git.dirty ? " (uncommitted changes to the inputs)" : ""}` : ""
  }</p>
${custodyBanner(e)}
</header>
<nav class="toc" aria-label="Contents"><ol>${sections.map(([id, t]) => `<li><a href="#${esc(id)}">${esc(t)}</a></li>`).join("")}</ol></nav>

${summarySection(e)}

${limitationsSection(e)}

${scopeSection(e)}

${populationSection(e)}

${e.frameworks.map(matrixSection).join("\n")}

${controlsSection(e)}

${configurationSection(e)}

${exceptionsSection(e)}

${findingsSection(e)}

${waiversSection(e)}

${toolSection(e)}
<footer>Framework titles are paraphrases; criteria IDs belong to the AICPA and ISO. This report is rendered from <code>evidence.json</code> and contains no scripts.</footer>
</main>
</body>
</html>
`;
}
