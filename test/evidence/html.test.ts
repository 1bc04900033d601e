/** report.html as a function of the report: remediation as formatted text once per control, repeated findings once, inputs in the title. */
import { describe, expect, it } from "vitest";
import { renderEvidencePackage } from "../../src/evidence/index.js";
import { inputsLabel } from "../../src/evidence/html.js";
import { inlineCode } from "../../src/evidence/html-text.js";
import { finding, HELM_PROD, HELM_STAGING, reportOf, TEMPLATE_LINE } from "../reporters/build.js";

const html = (report: ReturnType<typeof reportOf>, paths = ["charts/app"]) =>
  renderEvidencePackage(report, { paths }).files["report.html"]!;

describe("report.html", () => {
  it("renders code spans as <code>, escapes the rest, and leaves no backtick of a pair", () => {
    expect(inlineCode("Set `a: <b>` & `c`.")).toBe("Set <code>a: &lt;b&gt;</code> &amp; <code>c</code>.");
    expect(inlineCode("one ` left <i>")).toBe("one ` left &lt;i&gt;");
    expect(inlineCode("`x` then `y")).toBe("<code>x</code> then `y");
  });

  it("shows a finding repeated in two units once, with both units, and the control's remediation once", () => {
    const report = reportOf([
      finding(HELM_PROD, TEMPLATE_LINE),
      finding(HELM_STAGING, TEMPLATE_LINE),
      finding(
        HELM_PROD,
        { ...TEMPLATE_LINE, line: 40 },
        { messageId: "other", data: { container: "side" }, message: "Container side runs privileged." },
      ),
    ]);
    const page = html(report);
    const findings = page.slice(page.indexOf('<section id="findings">'), page.indexOf('<section id="waivers">'));
    expect(findings.match(/<code>charts\/app\/templates\/deployment\.yaml:31:15<\/code>/g)).toHaveLength(1);
    expect(findings).toContain(`<li><code>${HELM_PROD}</code></li><li><code>${HELM_STAGING}</code></li>`);
    expect(findings.match(/Remediation:/g)).toHaveLength(1);
    expect(findings).toContain("<strong>Remediation:</strong> Set <code>securityContext.privileged: false</code> on every container.");
    expect(findings).not.toContain("`");
    expect(findings).toContain("— critical, 3 findings");
  });

  it("names the inputs in the title: the paths given, else the units' paths, at most three", () => {
    const page = html(reportOf([finding(HELM_PROD, TEMPLATE_LINE)]), ["charts/app", "k8s"]);
    expect(page).toContain("<title>Compliance evidence — charts/app, k8s</title>");
    const units = (paths: string[]) => paths.map((path) => ({ path }));
    expect(inputsLabel({ scope: { paths: ["."] }, units: units(["b", "a", "b"]) } as never)).toBe("a, b");
    expect(inputsLabel({ scope: { paths: [] }, units: units(["a", "b", "c", "d", "e"]) } as never)).toBe("a, b, c and 2 more");
  });
});
