/** The summary section of report.html: the verdict, the headline counts and the charts. */
import type { Domain } from "../catalog/types.js";
import { stackedChart } from "./html-charts.js";
import { esc } from "./html-elements.js";
import type { Evidence } from "./model.js";

/** Display names of the control domains, the rows of the domain chart. */
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

/** The verdict at the fail-on threshold, cards of the headline counts, and criteria by framework and controls by domain as charts. */
export function summarySection(e: Evidence): string {
  const passed = e.summary.exitCode === 0;
  const domains = [...new Set(e.controls.map((c) => c.domain))].sort((a, b) => (DOMAINS[a] ?? a).localeCompare(DOMAINS[b] ?? b));
  const byDomain = domains.map((d) => {
    const counts = { satisfied: 0, "met-with-exceptions": 0, "not-satisfied": 0, "not-applicable": 0, "needs-external-evidence": 0 };
    for (const c of e.controls.filter((x) => x.domain === d && x.status !== "disabled")) counts[c.status as keyof typeof counts]++;
    return { label: DOMAINS[d] ?? d, counts };
  });
  const byFramework = e.frameworks.map((f) => ({ label: f.id === "soc2" ? "SOC 2" : "ISO 27001", counts: f.counts }));

  return `<section id="summary"><h2>Summary</h2>
<p><span class="verdict ${passed ? "ok" : "bad"}">${passed ? "✓ PASS" : "✗ FAIL"}</span> <span class="muted">at fail-on ${esc(e.scope.failOn)}: ${
    passed ? "no failing finding, no expired waiver, no input error." : "see Failures and the waiver register."
  }</span></p>
<div class="cards">
<div class="card"><span class="n">${e.reconciliation.inputFiles}</span><span class="k">Input files</span></div>
<div class="card"><span class="n">${e.reconciliation.units}</span><span class="k">Manifest sets</span></div>
<div class="card"><span class="n">${e.reconciliation.resources}</span><span class="k">Resources</span></div>
<div class="card"><span class="n">${e.summary.controls}</span><span class="k">Controls run</span></div>${
    e.summary.disabledControls
      ? `\n<div class="card"><span class="n">${e.summary.disabledControls}</span><span class="k">Disabled by config</span></div>`
      : ""
  }
<div class="card"><span class="n">${e.summary.failed}</span><span class="k">Failing findings</span></div>
<div class="card"><span class="n">${e.summary.waived}</span><span class="k">Waived findings</span></div>
</div>
<div class="charts">
${stackedChart("fw", "Criteria by framework", byFramework, {
  satisfied: "Automated checks passed",
  "met-with-exceptions": "Passed with exceptions",
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
</section>`;
}
