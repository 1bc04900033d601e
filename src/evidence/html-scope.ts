/** The sections of report.html that say what was audited: scope and inputs, and the population of resources. */
import { badge, code, esc, table } from "./html-elements.js";
import { notAuditedReason } from "../reporters/not-audited.js";
import type { Evidence } from "./model.js";
import { scopesTable } from "./html-custody.js";

/** Paths, commit, configuration, profiles and frameworks; every manifest set; every input file with its SHA-256. */
export function scopeSection(e: Evidence): string {
  return `<section id="scope"><h2>Scope and inputs</h2>
<dl class="facts">
<dt>Paths audited</dt><dd>${e.scope.paths.map(code).join(" ")}</dd>
${e.scope.observed ? `<dt>Observed state</dt><dd>${esc(e.scope.observed.statement)} (API server ${code(e.scope.observed.server)})</dd>\n` : ""}<dt>Git commit</dt><dd>${e.scope.git ? `${code(e.scope.git.commit)}${e.scope.git.dirty ? " — inputs have uncommitted changes" : " — inputs clean"}` : "not recorded"}</dd>
<dt>Configuration</dt><dd>${
    e.scope.configFiles.length
      ? e.scope.configFiles.map((f) => `${code(f.path)} (${esc(f.role)}, SHA-256 ${code(f.sha256)})`).join("<br>")
      : "none (defaults, no waivers)"
  }</dd>
<dt>Profiles</dt><dd>${esc(e.scope.profiles.join(", "))}</dd>
<dt>Frameworks</dt><dd>${esc(e.frameworks.map((f) => f.name).join("; "))}</dd>
</dl>
${scopesTable(e)}
<h3>Manifest sets (units)</h3>
${table(
  ["Unit", "Kind", "Rendered from", "Profile", "Scopes", "Resources", "Kinds not evaluated"],
  e.units.map((u) => [
    code(u.id),
    esc(u.kind),
    `${code(u.path)}${u.values ? ` with ${code(u.values)}` : ""}`,
    esc(u.profile),
    esc(u.scopes.join(", ") || "–"),
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
${notAuditedTable(e)}
</section>`;
}

/** Every file or folder under the inputs that was not audited, with the reason; a skipped folder ends in `/`. */
function notAuditedTable(e: Evidence): string {
  return `<h3 id="not-audited">Not audited (${e.notAudited.length})</h3>
${
  e.notAudited.length
    ? table(
        ["Path", "Reason"],
        e.notAudited.map((n) => [code(n.path), esc(notAuditedReason(n))]),
      )
    : `<p>Every file under the input paths was audited.</p>`
}`;
}

/** Reconciliation from input files to resources, resources by kind, and every distinct in-scope resource. */
export function populationSection(e: Evidence): string {
  const distinct = new Map<string, { kind: string; namespace: string; name: string; units: number; evaluated: boolean }>();
  for (const r of e.population) {
    const key = `${r.kind}\0${r.namespace}\0${r.name}`;
    const entry = distinct.get(key) ?? { kind: r.kind, namespace: r.namespace, name: r.name, units: 0, evaluated: r.evaluated };
    entry.units++;
    distinct.set(key, entry);
  }

  return `<section id="population"><h2>Population</h2>
<p class="lead">Reconciliation: ${e.reconciliation.notAudited} paths under the inputs not audited (see <a href="#not-audited">Not audited</a>); ${e.reconciliation.inputFiles} input files → ${e.reconciliation.units} manifest sets → ${e.reconciliation.resources} resources → ${
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
</section>`;
}
