/**
 * The sections of report.html that say who produced the package and what shaped the result: the
 * custody banner of the first page, the limitations, the scopes (system boundary), each control's
 * effective configuration, and the exceptions behind "met with exceptions".
 */
import { code, esc, table } from "./html-elements.js";
import type { Evidence } from "./model.js";

/** First page: signed by which key (or UNSIGNED, loudly), produced by which CI run, and the population statement. */
export function custodyBanner(e: Evidence): string {
  const { signer, ci } = e.run;
  const signed = signer
    ? `<p class="custody ok">Signed: <code>manifest.json</code> carries an Ed25519 signature by the key with SHA-256 fingerprint ${code(signer.publicKeySha256)}; check it with <code>erlmcp-audit verify &lt;folder&gt; --public-key &lt;key.pem&gt;</code>.</p>`
    : `<p class="custody bad"><strong>Unsigned package:</strong> nothing binds these files to whoever produced them; the SHA-256 list in <code>manifest.json</code> shows only that the files are intact. Ask for a package signed with <code>--sign-key</code>.</p>`;
  const by = ci
    ? `<p class="muted">Produced by ${esc(ci.system)}${ci.url ? ` run ${code(ci.url)}` : ""}${ci.actor ? `, started by ${esc(ci.actor)}` : ""}${ci.commit ? `, commit ${code(ci.commit)}` : ""}.</p>`
    : `<p class="muted">No CI run identity was recorded (not run under GitHub Actions, GitLab CI or with <code>ERLMCP_AUDIT_RUN_URL</code>).</p>`;
  return `${signed}\n${by}\n<p>${esc(e.statements.population)}</p>`;
}

/** What the evidence does not show. */
export function limitationsSection(e: Evidence): string {
  return `<section id="limitations"><h2>Limitations</h2>
<ul>${e.statements.limitations.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
</section>`;
}

/** Command line, CI run and signer: the chain of custody, beside the tool identity. */
export function custodyFacts(e: Evidence): string {
  const { commandLine, ci, signer } = e.run;
  return `<dl class="facts">
<dt>Command line</dt><dd>${commandLine ? code(["erlmcp-audit", ...commandLine].join(" ")) : "not recorded (library call)"}</dd>
<dt>CI run</dt><dd>${
    ci
      ? esc(
          [
            ci.system,
            ci.url,
            ci.workflow && `workflow ${ci.workflow}`,
            ci.actor && `actor ${ci.actor}`,
            ci.ref,
            ci.commit && `commit ${ci.commit}`,
          ]
            .filter(Boolean)
            .join(" · "),
        )
      : "none recorded"
  }</dd>
<dt>Git commit</dt><dd>${e.scope.git ? `${code(e.scope.git.commit)} (${e.scope.git.dirty ? "tree with uncommitted changes" : "clean tree"})` : "not recorded"}</dd>
<dt>Signer</dt><dd>${signer ? `${esc(signer.algorithm)} key, SHA-256 ${code(signer.publicKeySha256)}` : "<strong>unsigned</strong>"}</dd>
</dl>`;
}

/** The config's scopes and the population of each; units outside every scope are named. */
export function scopesTable(e: Evidence): string {
  if (!e.scope.scopes.length) return `<p class="muted">The configuration names no scopes: the system boundary is the paths audited.</p>`;
  return `<h3>Scopes (system boundary)</h3>
${table(
  ["Scope", "Description", "Input files", "Units", "Resources (renders)", "Distinct resources"],
  e.scope.scopes.map((s) => [
    code(s.name),
    esc(s.description ?? "–"),
    esc(s.files),
    s.units.map(code).join("<br>") || "–",
    esc(s.resources),
    esc(s.distinctResources),
  ]),
)}${e.scope.unscopedUnits.length ? `<p>Outside every scope: ${e.scope.unscopedUnits.map(code).join(" ")}</p>` : ""}`;
}

/** Each control's effective severity and parameters per profile (defaults, profile values and config overrides merged). */
export function configurationSection(e: Evidence): string {
  return `<section class="page" id="configuration"><h2>Configuration of each control</h2>
<p class="lead">What each control checked with: its severity and parameters after the profile and the configuration files listed under Scope were applied.</p>
${table(
  ["Control", "Profile", "Severity", "Parameters", "Units"],
  e.controls.flatMap((c) =>
    c.parameters.map((p) => [
      code(c.id),
      esc(p.profile),
      esc(p.severity),
      Object.keys(p.params).length ? code(JSON.stringify(p.params)) : `<span class="muted">none</span>`,
      esc(p.units.length),
    ]),
  ),
)}
</section>`;
}

/** Every criterion met with exceptions, and the approved waivers behind it. */
export function exceptionsSection(e: Evidence): string {
  const rows = e.frameworks.flatMap((fw) =>
    fw.criteria.flatMap((c) =>
      c.exceptions.map((x) => [
        esc(`${fw.id === "soc2" ? "SOC 2" : "ISO 27001"} ${c.id}`),
        code(x.controlId),
        esc(`${x.findings} waived`),
        code(x.waiver),
        esc(x.approver),
        esc(x.approved),
        esc(x.ticket),
        esc(x.expires),
      ]),
    ),
  );
  return `<section id="exceptions"><h2>Exceptions</h2>
<p class="lead">A criterion reads "checks passed with exceptions" when findings of its controls were waived by an approved, expiring exception.</p>
${table(["Criterion", "Control", "Findings", "Waiver", "Approver", "Approved", "Ticket", "Expires"], rows)}
</section>`;
}
