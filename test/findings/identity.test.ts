/**
 * One identity per finding (src/findings/identity.ts): two findings that differ only in their data
 * (the same check failing in two containers of one Pod) stay two findings in every output format,
 * the baseline, the evidence and the admission webhook.
 */
import { describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import { AdmissionEvaluator } from "../../src/admission/evaluator.js";
import { createBaseline } from "../../src/baseline/baseline.js";
import { renderEvidencePackage } from "../../src/evidence/package.js";
import { findingFingerprint, findingKey, stableJson } from "../../src/findings/identity.js";
import { FORMAT_NAMES, REPORTERS, type FormatName } from "../../src/reporters/index.js";
import type { AuditReport } from "../../src/report/types.js";
import type { K8sObject } from "../../src/types.js";
import { tempTree } from "../helpers/tmp.js";

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "twins", namespace: "erlmcp" },
  spec: {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containers: ["left", "right"].map((name) => ({
      name,
      image: "busybox:1.36",
      securityContext: { capabilities: { drop: ["ALL"] } },
    })),
  },
} satisfies K8sObject;

const twins = (report: Pick<AuditReport, "findings">) =>
  report.findings.filter((f) => f.controlId === "pod-restricted-context" && f.messageId === "allowPrivilegeEscalation");

/** For each format, the pieces of its output that identify one finding. */
const IDENTIFIERS: Record<FormatName, (body: string) => string[]> = {
  text: messages,
  json: (body) => twins(JSON.parse(body) as AuditReport).map((f) => findingKey(f)),
  sarif: (body) =>
    (
      JSON.parse(body) as {
        runs: Array<{ results: Array<{ properties: { messageId: string }; partialFingerprints: Record<string, string> }> }>;
      }
    ).runs[0]!.results.filter((r) => r.properties.messageId === "allowPrivilegeEscalation").map((r) => stableJson(r.partialFingerprints)),
  junit: messages,
  markdown: messages,
  github: messages,
  codequality: (body) =>
    (JSON.parse(body) as Array<{ description: string; fingerprint: string }>)
      .filter((i) => /Container (left|right) does not set/.test(i.description))
      .map((i) => i.fingerprint),
};

/** The containers named by the findings' messages in a text output. */
function messages(body: string): string[] {
  return [...body.matchAll(/Container (left|right) does not set/g)].map((m) => m[1]!);
}

describe("finding identity", () => {
  const base = {
    controlId: "c",
    unit: "u",
    messageId: "m",
    resource: { kind: "Pod", namespace: "n", name: "p" },
  };

  it("is the same whatever the order of the data's keys, and differs when only the data differs", () => {
    expect(findingKey({ ...base, data: { a: 1, b: "x" } })).toBe(findingKey({ ...base, data: { b: "x", a: 1 } }));
    expect(findingKey({ ...base, data: { container: "left" } })).not.toBe(findingKey({ ...base, data: { container: "right" } }));
    expect(findingKey({ ...base, data: { n: 1 } })).not.toBe(findingKey({ ...base, data: { n: "1" } }));
    expect(findingFingerprint({ ...base, data: {} })).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps two findings that differ only in data apart in every format, the baseline and the evidence", async () => {
    const root = tempTree({ "app/pod.yaml": JSON.stringify(pod) });
    const report = await audit([`${root}/app`], { config: false, controls: ["pod-restricted-context"], now: new Date("2026-01-01") });
    expect(twins(report).map((f) => f.data.container)).toEqual(["left", "right"]);

    for (const format of FORMAT_NAMES) {
      const ids = IDENTIFIERS[format](REPORTERS[format](report, {}));
      expect(new Set(ids).size, format).toBe(2);
    }
    expect(createBaseline(twins(report)).findings).toHaveLength(2);
    const { files } = renderEvidencePackage(report, { paths: [root], frameworks: ["soc2"] });
    expect(files["findings.csv"]!.match(/Container (left|right) does not set/g)?.sort()).toEqual([
      "Container left does not set",
      "Container right does not set",
    ]);
  });

  it("keeps them apart at admission", async () => {
    const evaluator = await AdmissionEvaluator.load({ config: {}, waivers: [], profile: "production" });
    const found = evaluator.evaluate(pod, new Date("2026-01-01")).filter((f) => f.messageId === "allowPrivilegeEscalation");
    expect(found.map((f) => f.data.container).sort()).toEqual(["left", "right"]);
    expect(new Set(found.map(findingKey)).size).toBe(2);
  });
});
