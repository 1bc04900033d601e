/**
 * Pod security read as the API server and the kubelet read it, not by one spelling: workloads that look
 * restricted but run unconfined (an AppArmor `Unconfined` profile on a sidecar, the legacy AppArmor
 * annotation the API server fills the container's field from, an SELinux `spc_t` type) and a YAML merge
 * key that kubectl applies over an explicit `privileged: false`. Each is planted beside a restricted
 * manifest and audited through the CLI with the Rego (wasm) and Kyverno engines: every planted object
 * fails, the good one stays silent, and the engines agree.
 */
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree } from "../helpers/audit-tree.js";

const CONTROLS = "pod-restricted-context,pod-no-host-access";

const RESTRICTED_POD = `      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}`;

const RESTRICTED_CONTAINER = `allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}`;

/** A restricted Deployment; `podExtra`, `annotations` and `initContainers` plant what is under test. */
const DEPLOYMENT = (name: string, { podExtra = "", annotations = "{}", initContainers = "[]" } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: erlmcp}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
      annotations: ${annotations}
    spec:
${RESTRICTED_POD}${podExtra}
      initContainers: ${initContainers}
      containers:
        - name: app
          image: example/app:1.0
          securityContext: {${RESTRICTED_CONTAINER}}
`;

const audit = (files: Record<string, string>) => auditTree(files, CONTROLS, ["rego", "kyverno"]);

/** Failing findings, one line per object and message, whatever engine gave it. */
const failing = (report: AuditReport) =>
  [
    ...new Set(
      report.findings.filter((f) => f.status === "fail").map((f) => `${f.controlId} ${f.resource.kind}/${f.resource.name} ${f.messageId}`),
    ),
  ].sort();

describe("a workload spelled to look confined is judged as it runs, by the Rego and Kyverno engines alike", () => {
  it("an Unconfined AppArmor sidecar, an unconfined AppArmor annotation and an spc_t SELinux type each fail", async () => {
    const { code, report } = await audit({
      "good.yaml": DEPLOYMENT("good", {
        podExtra: `\n        appArmorProfile: {type: RuntimeDefault}\n        seLinuxOptions: {type: container_t, level: "s0:c1,c2"}`,
        annotations: "{container.apparmor.security.beta.kubernetes.io/app: runtime/default}",
      }),
      "sidecar.yaml": DEPLOYMENT("sidecar", {
        podExtra: `\n        appArmorProfile: {type: RuntimeDefault}`,
        initContainers: `[{name: shipper, image: example/shipper:1.0, restartPolicy: Always, securityContext: {${RESTRICTED_CONTAINER}, appArmorProfile: {type: Unconfined}}}]`,
      }),
      "annotation.yaml": DEPLOYMENT("annotated", {
        annotations: "{container.apparmor.security.beta.kubernetes.io/app: unconfined}",
      }),
      "selinux.yaml": DEPLOYMENT("spc", { podExtra: `\n        seLinuxOptions: {type: spc_t}` }),
    });
    expect(report.inputErrors).toEqual([]);
    expect(report.disagreements).toEqual([]);
    expect(failing(report)).toEqual([
      "pod-restricted-context Deployment/annotated appArmorProfile",
      "pod-restricted-context Deployment/sidecar appArmorProfile",
      "pod-restricted-context Deployment/spc seLinuxOptions",
    ]);
    // Both engines gave verdicts (and, with no disagreement, the same ones) on every object.
    const results = report.controls.find((c) => c.id === "pod-restricted-context")!.results;
    expect(results.map((r) => [...r.engines].sort())).toEqual([["kyverno", "rego"]]);
    expect(results[0]!.evaluated).toBe(4);
    expect(code).toBe(1);
  });

  it("YAML 1.1 booleans are read as kubectl reads them: `privileged: yes` and `hostPID: On` are true", async () => {
    const { code, report } = await audit({
      "good.yaml": DEPLOYMENT("good"),
      "yes.yaml": DEPLOYMENT("priv-yes").replace(
        `securityContext: {${RESTRICTED_CONTAINER}}`,
        "securityContext: {privileged: yes, capabilities: {drop: [ALL]}}",
      ),
      "on.yaml": DEPLOYMENT("pid-on", { podExtra: "\n      hostPID: On" }),
    });
    expect(report.inputErrors).toEqual([]);
    expect(report.disagreements).toEqual([]);
    expect(failing(report)).toEqual([
      "pod-no-host-access Deployment/pid-on hostNamespace",
      "pod-no-host-access Deployment/priv-yes privilegedContainer",
      // The API server refuses allowPrivilegeEscalation: false beside privileged: true.
      "pod-restricted-context Deployment/priv-yes allowPrivilegeEscalation",
    ]);
    expect(code).toBe(1);
  });

  it("a merge key that kubectl applies over `privileged: false` is refused at its line; the good manifest is still audited", async () => {
    const { code, report } = await audit({
      "good.yaml": DEPLOYMENT("good"),
      "merge.yaml": DEPLOYMENT("merged").replace(
        `securityContext: {${RESTRICTED_CONTAINER}}`,
        `securityContext:\n            privileged: false\n            <<: {privileged: true}\n            allowPrivilegeEscalation: false\n            capabilities: {drop: [ALL]}`,
      ),
    });
    expect(report.inputErrors.map((e) => [e.code, e.file.split("/").pop(), e.line])).toEqual([["YAML_MERGE_CONFLICT", "merge.yaml", 21]]);
    expect(report.disagreements).toEqual([]);
    expect(failing(report)).toEqual([]);
    expect(report.controls.find((c) => c.id === "pod-no-host-access")!.results.map((r) => r.evaluated)).toEqual([1]);
    expect(code).toBe(2);
  });
});
