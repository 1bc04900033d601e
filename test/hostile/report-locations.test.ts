/**
 * The fields a finding's location adds to every format — the JSON path, the values file and key, the
 * unit IDs — come from the files audited: hostile text in them must stay inert in every format.
 */
import { describe, expect, it } from "vitest";
import { renderEvidencePackage } from "../../src/evidence/index.js";
import { REPORTERS } from "../../src/reporters/index.js";
import { finding, reportOf, TEMPLATE_LINE } from "../reporters/build.js";

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const HOSTILE = "x\n::error file=evil::pwned \u001b[2J\u202E <script>alert(1)</script> ##[error]no";
const UNIT = `charts/app@values-${HOSTILE}.yaml`;

const report = reportOf([
  finding(
    UNIT,
    { ...TEMPLATE_LINE, file: `charts/${HOSTILE}.yaml`, values: { file: `values-${HOSTILE}.yaml`, key: `a.${HOSTILE}` } },
    {
      path: `spec.${HOSTILE}`,
    },
  ),
  finding(
    "other",
    { ...TEMPLATE_LINE, file: `charts/${HOSTILE}.yaml`, values: { file: `values-${HOSTILE}.yaml`, key: `a.${HOSTILE}` } },
    {
      path: `spec.${HOSTILE}`,
    },
  ),
]);

describe("hostile path, values key and unit in a finding's location", () => {
  it("text, markdown and github: no raw control character and no line a CI runner would execute", () => {
    for (const format of ["text", "markdown", "github"] as const) {
      const out = REPORTERS[format](report);
      expect(out, format).not.toMatch(RAW_CONTROL);
      const lines = out.split("\n");
      expect(
        lines.filter((l) => /^\s*::/.test(l) && !/^::error file=charts\//.test(l)),
        format,
      ).toEqual([]);
      expect(out, format).not.toMatch(/##[a-z]*\[/i);
      if (format === "github") expect(lines.filter((l) => l.startsWith("::error"))).toHaveLength(1);
    }
    expect(REPORTERS.markdown(report)).not.toContain("<script>");
  });

  it("SARIF, JUnit and Code Quality keep the data exact, parseable and inert", () => {
    const sarif = REPORTERS.sarif(report);
    expect(sarif).not.toMatch(/[\u007F-\u009F\u202A-\u202E]/);
    const result = (JSON.parse(sarif) as { runs: Array<{ results: Array<{ properties: { path: string; units: string[] } }> }> }).runs[0]!
      .results[0]!;
    expect(result.properties.path).toBe(`spec.${HOSTILE}`);
    expect(result.properties.units).toEqual([UNIT, "other"]);
    expect(() => JSON.parse(REPORTERS.codequality(report))).not.toThrow();
    expect(REPORTERS.junit(report)).not.toContain("<script>");
  });

  it("report.html escapes them", () => {
    const html = renderEvidencePackage(report, { paths: ["charts"] }).files["report.html"]!;
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
