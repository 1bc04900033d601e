/** Findings and reports built in the test, for the reporters' pure-function tests. */
import type { AuditReport, ReportControl } from "../../src/report/types.js";
import type { FieldLocation, Finding } from "../../src/types.js";

export const HELM_PROD = "charts/app@values-production.yaml";
export const HELM_STAGING = "charts/app@values-staging.yaml";

/** A failing finding of `pod-no-privileged` on Deployment app/web in `unit`, at `location` (if any). */
export function finding(unit: string, location?: FieldLocation, extra: Partial<Finding> = {}): Finding {
  return {
    controlId: "pod-no-privileged",
    messageId: "privileged",
    message: "Container web runs privileged.",
    data: { container: "web" },
    severity: "critical",
    status: "fail",
    resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "app", name: "web" },
    source: { file: "charts/app", line: 120, documentIndex: 3 },
    engine: "rego",
    unit,
    path: "spec.template.spec.containers[0].securityContext.privileged",
    ...(location ? { location } : {}),
    ...extra,
  };
}

/** The template line both Helm renders point at, with the values key of the production render. */
export const TEMPLATE_LINE: FieldLocation = {
  file: "charts/app/templates/deployment.yaml",
  line: 31,
  column: 15,
  via: "helm-template",
  values: { file: "charts/app/values-production.yaml", key: "securityContext.privileged", line: 8 },
};

const CONTROL: ReportControl = {
  id: "pod-no-privileged",
  title: "Containers do not run privileged",
  domain: "pod",
  severity: "critical",
  scope: "object",
  engines: ["rego"],
  kinds: ["Deployment"],
  description: "Privileged containers have every capability of the host.",
  remediation: "Set `securityContext.privileged: false` on every container.",
  frameworks: { soc2: [], iso27001: [] },
  references: [],
  results: [],
};

/** A report of `findings` over the units they name, with the one control above (or `controls`). */
export function reportOf(findings: Finding[], controls: ReportControl[] = [CONTROL]): AuditReport {
  const units = [...new Set(findings.map((f) => f.unit))];
  const failed = findings.filter((f) => f.status === "fail").length;
  return {
    schemaVersion: "1.0.0",
    tool: { name: "erlmcp-audit", version: "0.0.0-test", opaVersion: "1.0.0", policyBundleSha256: "0".repeat(64), engines: ["rego"] },
    generatedAt: "2026-01-01T00:00:00.000Z",
    configFiles: [],
    failOn: "low",
    inputs: [{ path: "charts/app/templates/deployment.yaml", sha256: "1".repeat(64), bytes: 100 }],
    units: units.map((id) => ({
      id,
      kind: "helm",
      path: "charts/app",
      profile: "production",
      scopes: [],
      resources: [{ apiVersion: "apps/v1", kind: "Deployment", namespace: "app", name: "web" }],
      unevaluatedKinds: [],
      unvalidatedKinds: [],
    })),
    controls: controls.map((c) => ({
      ...c,
      results: units.map((unit) => ({
        unit,
        profile: "production",
        severity: c.severity,
        params: {},
        evaluated: 1,
        failed: findings.filter((f) => f.unit === unit && f.controlId === c.id && f.status === "fail").length,
        waived: 0,
        errors: 0,
        engines: ["rego"],
      })),
    })),
    scopes: [],
    disabledControls: [],
    findings,
    inputErrors: [],
    notAudited: [],
    notices: [],
    waivers: [],
    disagreements: [],
    network: {},
    summary: {
      units: units.length,
      resources: units.length,
      controls: controls.length,
      disabledControls: 0,
      failed,
      waived: findings.filter((f) => f.status === "waived").length,
      errors: 0,
      inputErrors: 0,
      bySeverity: {
        critical: findings.filter((f) => f.status === "fail" && f.severity === "critical").length,
        high: 0,
        medium: 0,
        low: 0,
      },
      expiredWaivers: 0,
      unusedWaivers: 0,
      exitCode: failed ? 1 : 0,
    },
  };
}
