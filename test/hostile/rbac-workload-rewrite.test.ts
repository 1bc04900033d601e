/**
 * `update`/`patch` on pods and workload kinds, spelled the ways an attacker would try to slip it past
 * iam-no-escalation-verbs, audited through the CLI with the Rego (wasm), TypeScript and Kyverno engines, which
 * must agree. Rewriting a workload's pod template (new image, any serviceAccountName of the namespace,
 * privileged, hostPath) or a running pod's container image runs the holder's code as another identity, as
 * `create` does (Kubernetes RBAC good practices, "Workload creation"). Read as the authorizer reads it:
 * - `*` verbs, `*` resources and the `*` API group grant `update`/`patch` on the workload kinds;
 * - verbs are compared as written (RBAC's VerbMatches is an exact string comparison; requests carry lower-case
 *   verbs), so `PATCH` or `Update` grants nothing;
 * - the authorizer matches API groups literally and `extensions` has served no Deployment, DaemonSet or
 *   ReplicaSet since Kubernetes 1.16 (no group at all since 1.22): `extensions` + `deployments` grants nothing;
 * - `deployments/scale`, `*\/scale` and `*\/status` change no pod template and grant nothing here.
 */
import { describe, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree, expectVerdict, failingFindings } from "../helpers/audit-tree.js";

const role = (name: string, rules: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${name}, namespace: erlmcp}
rules:
${rules}`;

const audit = (files: Record<string, string>) => auditTree(files, "iam-no-escalation-verbs", ["rego", "typescript", "kyverno"]);

const failing = (report: AuditReport) => failingFindings(report, (f) => `${f.resource.name} ${f.messageId}`);

describe("update/patch on pods and workload kinds is read as the authorizer reads it", () => {
  it("every spelling that grants update/patch on a pod template is found, by all three engines", async () => {
    expectVerdict(
      await audit({
        "patch-deployments.yaml": role("patch-deployments", `  - {apiGroups: [apps], resources: [deployments], verbs: [get, patch]}\n`),
        "update-pods.yaml": role("update-pods", `  - {apiGroups: [""], resources: [pods], verbs: [update]}\n`),
        "star-verb-pods.yaml": role("star-verb-pods", `  - {apiGroups: [""], resources: [pods], verbs: ["*"]}\n`),
        "star-group.yaml": role("star-group", `  - {apiGroups: ["*"], resources: [deployments], verbs: [patch]}\n`),
        "star-resource.yaml": role("star-resource", `  - {apiGroups: [batch], resources: ["*"], verbs: [update]}\n`),
        "rollouts.yaml": role("rollouts", `  - {apiGroups: [argoproj.io], resources: [rollouts], verbs: [patch]}\n`),
        "rc.yaml": role("rc", `  - {apiGroups: [""], resources: [replicationcontrollers], verbs: [update]}\n`),
      }),
      failing,
      [
        "patch-deployments workloadRewrite",
        "rc workloadRewrite",
        "rollouts workloadRewrite",
        "star-group workloadRewrite",
        "star-resource workloadRewrite",
        "star-verb-pods sensitiveCreate",
        "star-verb-pods workloadRewrite",
        "update-pods workloadRewrite",
      ],
    );
  });

  it("upper-case verbs, the extensions group and template-free subresources grant nothing", async () => {
    expectVerdict(
      await audit({
        "upper-case.yaml": role(
          "upper-case",
          `  - {apiGroups: ["", apps], resources: [pods, deployments], verbs: [PATCH, Update, CREATE]}\n`,
        ),
        "extensions.yaml": role(
          "extensions",
          `  - {apiGroups: [extensions], resources: [deployments, daemonsets, replicasets], verbs: [create, update, patch]}\n`,
        ),
        "scale.yaml": role(
          "scale",
          `  - {apiGroups: [apps], resources: [deployments/scale, statefulsets/scale, statefulsets/status], verbs: [update, patch]}
  - {apiGroups: ["*"], resources: ["*/scale", "*/status"], verbs: [update, patch]}
  - {apiGroups: [apps], resources: [deployments, statefulsets], verbs: [get, list, watch]}
`,
        ),
      }),
      failing,
      [],
    );
  });
});
