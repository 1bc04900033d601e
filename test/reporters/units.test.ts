/** Every format points at the line to change and names the units; a finding repeated across units is reported once. */
import { parse as parseJunit, type TestCase, type TestSuites } from "junit2json";
import { describe, expect, it } from "vitest";
import { codequality } from "../../src/reporters/codequality.js";
import { github } from "../../src/reporters/github.js";
import { json } from "../../src/reporters/json.js";
import { junit } from "../../src/reporters/junit.js";
import { markdown } from "../../src/reporters/markdown.js";
import { sarif } from "../../src/reporters/sarif.js";
import { finding, HELM_PROD, HELM_STAGING, reportOf, TEMPLATE_LINE } from "./build.js";

const STAGING_VALUES = { ...TEMPLATE_LINE, values: { file: "charts/app/values-staging.yaml", key: "securityContext.privileged" } };
/** One template line rendered with two values files: the same finding in two units. */
const twice = reportOf([finding(HELM_PROD, TEMPLATE_LINE), finding(HELM_STAGING, STAGING_VALUES)]);
/** A finding the locator could not place: it points at `source`. */
const unlocated = reportOf([finding(HELM_PROD)]);
/** junit2json parses the `file` and `line` attributes Jenkins and GitLab read; its types leave them out. */
const located = (c: TestCase) => c as TestCase & { file?: string; line?: number };

interface SarifOut {
  runs: Array<{
    results: Array<{
      message: { text: string };
      locations: Array<{
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn?: number } };
        logicalLocations: Array<{ fullyQualifiedName: string }>;
      }>;
      properties: Record<string, unknown>;
    }>;
  }>;
}

describe("SARIF", () => {
  it("one result at line and column, units in properties and one logical location per unit, path and values in the message", () => {
    const results = (JSON.parse(sarif(twice)) as SarifOut).runs[0]!.results;
    expect(results).toHaveLength(1);
    const [r] = results;
    expect(r!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: "charts/app/templates/deployment.yaml" },
      region: { startLine: 31, startColumn: 15 },
    });
    expect(r!.locations[0]!.logicalLocations.map((l) => l.fullyQualifiedName)).toEqual([
      `${HELM_PROD}/Deployment/app/web/spec.template.spec.containers[0].securityContext.privileged`,
      `${HELM_STAGING}/Deployment/app/web/spec.template.spec.containers[0].securityContext.privileged`,
    ]);
    expect(r!.properties).toMatchObject({
      unit: HELM_PROD,
      units: [HELM_PROD, HELM_STAGING],
      path: "spec.template.spec.containers[0].securityContext.privileged",
      via: "helm-template",
      values: [TEMPLATE_LINE.values, STAGING_VALUES.values],
    });
    expect(r!.message.text).toBe(
      "Deployment app/web: Container web runs privileged. Field: spec.template.spec.containers[0].securityContext.privileged. " +
        "Values: charts/app/values-production.yaml:8: securityContext.privileged; charts/app/values-staging.yaml: securityContext.privileged.",
    );
  });

  it("falls back to the object's first line without a location", () => {
    const [r] = (JSON.parse(sarif(unlocated)) as SarifOut).runs[0]!.results;
    expect(r!.locations[0]!.physicalLocation.region).toEqual({ startLine: 120 });
    expect(r!.locations[0]!.physicalLocation.artifactLocation.uri).toBe("charts/app");
    expect(r!.properties).toMatchObject({ unit: HELM_PROD, units: [HELM_PROD], via: "source" });
  });
});

describe("GitHub annotations", () => {
  it("one annotation on the line and column to change, naming both units and the field", () => {
    const lines = github(twice)
      .split("\n")
      .filter((l) => l.startsWith("::error"));
    expect(lines).toEqual([
      "::error file=charts/app/templates/deployment.yaml,line=31,col=15,title=pod-no-privileged (critical)::" +
        "Deployment app/web: Container web runs privileged.%0A" +
        "Field: spec.template.spec.containers[0].securityContext.privileged (charts/app/values-production.yaml:8: securityContext.privileged; charts/app/values-staging.yaml: securityContext.privileged)%0A" +
        `Units (2): ${HELM_PROD}, ${HELM_STAGING}%0A` +
        "Fix: Set `securityContext.privileged: false` on every container.",
    ]);
  });

  it("without a location, the object's first line and its one unit", () => {
    const [line] = github(unlocated)
      .split("\n")
      .filter((l) => l.startsWith("::error"));
    expect(line).toMatch(/^::error file=charts\/app,line=120,title=pod-no-privileged \(critical\)::/);
    expect(line).toContain(`%0AUnit: ${HELM_PROD}%0A`);
  });
});

describe("GitLab Code Quality", () => {
  it("one issue at the line to change with the units in the description", () => {
    const issues = JSON.parse(codequality(twice)) as Array<{ description: string; location: unknown; fingerprint: string }>;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.location).toEqual({ path: "charts/app/templates/deployment.yaml", lines: { begin: 31 } });
    expect(issues[0]!.description).toContain(`[2 units: ${HELM_PROD}, ${HELM_STAGING}]`);
    const single = JSON.parse(codequality(unlocated)) as Array<{ description: string; location: unknown }>;
    expect(single[0]!.location).toEqual({ path: "charts/app", lines: { begin: 120 } });
    expect(single[0]!.description).toContain(`[${HELM_PROD}]`);
  });
});

describe("JUnit", () => {
  it("one failing testcase naming both units, at the file and line to change", async () => {
    const parsed = (await parseJunit(junit(twice))) as TestSuites;
    const cases = parsed.testsuite![0]!.testcase!;
    expect(cases).toHaveLength(1);
    expect(cases[0]!.name).toBe(`Deployment app/web [${HELM_PROD}, ${HELM_STAGING}]`);
    expect(located(cases[0]!).file).toBe("charts/app/templates/deployment.yaml");
    expect(located(cases[0]!).line).toBe(31);
    const body = cases[0]!.failure![0]!.inner!;
    expect(body).toContain("charts/app/templates/deployment.yaml:31:15: Container web runs privileged. (field: spec.template.spec");
    expect(body).toContain(`Units: ${HELM_PROD}, ${HELM_STAGING}`);
  });

  it("without a location, the object's source file and line", async () => {
    const parsed = (await parseJunit(junit(unlocated))) as TestSuites;
    const c = parsed.testsuite![0]!.testcase![0]!;
    expect([located(c).file, located(c).line]).toEqual(["charts/app", 120]);
    expect(c.failure![0]!.inner).toContain(`Unit: ${HELM_PROD}`);
  });
});

describe("markdown", () => {
  it("one item at file:line:col with both units, the field and the values keys", () => {
    const items = markdown(twice)
      .split("\n")
      .filter((l) => l.startsWith("- <code>charts"));
    expect(items).toHaveLength(1);
    expect(items[0]).toContain(
      "<code>charts/app/templates/deployment.yaml:31:15</code> Deployment app/web [2 units: charts/app<code>@</code>values-production.yaml, charts/app<code>@</code>values-staging.yaml]: Container web",
    );
    expect(items[0]).toContain("field <code>spec.template.spec.containers&#91;0&#93;.securityContext.privileged</code>");
    expect(items[0]).toContain("values <code>charts/app/values-production.yaml:8: securityContext.privileged</code>");
    expect(markdown(unlocated)).toContain("- <code>charts/app:120</code> Deployment app/web [charts/app");
  });
});

describe("JSON", () => {
  it("keeps every finding of every unit", () => {
    const out = JSON.parse(json(twice)) as { findings: Array<{ unit: string; location: unknown }> };
    expect(out.findings.map((f) => f.unit)).toEqual([HELM_PROD, HELM_STAGING]);
    expect(out.findings[0]!.location).toEqual(TEMPLATE_LINE);
  });
});
