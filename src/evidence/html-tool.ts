/** The section of report.html that identifies the tool and says how to verify the package. */
import { code, esc } from "./html-elements.js";
import type { Evidence } from "./model.js";
import { custodyFacts } from "./html-custody.js";

/** Tool, policy bundle, engines and pinned renderers, run time and evidence ID, and how to verify the package. */
export function toolSection(e: Evidence): string {
  return `<section id="tool"><h2>Tool identity and verification</h2>
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
<h3>Chain of custody</h3>
${custodyFacts(e)}
<p>Every file of this package is listed with its SHA-256 in <code>manifest.json</code>; a signed package carries a detached Ed25519 signature in <code>manifest.sig</code>. Check both with <code>erlmcp-audit verify &lt;folder&gt; --public-key &lt;key.pem&gt;</code>: it fails on any changed, missing or extra byte.</p>
</section>`;
}
