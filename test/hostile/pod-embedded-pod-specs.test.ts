/**
 * A custom resource whose operator runs more than one pod spec, or runs one that is not at a generic
 * pod-template path, is judged on every pod spec it embeds (each mapping outside its metadata that holds
 * a `containers` list): a Volcano Job (kind Job of batch.volcano.sh, pods from spec.tasks[i].template)
 * and a FlinkDeployment whose spec.taskManager.podTemplate runs privileged on the host network beside a
 * restricted spec.podTemplate. Both passed silently when only the first generic path was read. Planted
 * beside a restricted Deployment and compliant objects of the same kinds, audited through the CLI with
 * the default engines (the Rego bundle; Kyverno, which admission matches by kind, never sees a custom
 * resource, so it gives these objects no verdict).
 */
import { describe, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree, expectVerdict, failingFindings } from "../helpers/audit-tree.js";

const CONTROLS = "pod-restricted-context,pod-no-host-access";

const RESTRICTED_POD = `securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}`;
const RESTRICTED_CONTAINER = `securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}`;

const GOOD = `apiVersion: apps/v1
kind: Deployment
metadata: {name: good, namespace: erlmcp}
spec:
  selector: {matchLabels: {app: good}}
  template:
    metadata: {labels: {app: good}}
    spec:
      ${RESTRICTED_POD}
      containers:
        - {name: app, image: example/app:1.0, ${RESTRICTED_CONTAINER}}
`;

/** A Volcano Job whose one task runs `taskSpec` (pod-level fields) and `container` (container fields). */
const VOLCANO = (name: string, taskSpec: string, container: string) => `apiVersion: batch.volcano.sh/v1alpha1
kind: Job
metadata: {name: ${name}, namespace: erlmcp}
spec:
  minAvailable: 1
  tasks:
    - name: worker
      replicas: 1
      template:
        spec:
          ${taskSpec}
          restartPolicy: Never
          containers:
            - {name: worker, image: example/worker:1.0, ${container}}
`;

/** A FlinkDeployment with a restricted spec.podTemplate; the task manager's pod template runs `taskManager`. */
const FLINK = (name: string, taskManagerSpec: string, container: string) => `apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata: {name: ${name}, namespace: erlmcp}
spec:
  image: example/flink:1.17
  flinkVersion: v1_17
  podTemplate:
    spec:
      ${RESTRICTED_POD}
      containers:
        - {name: flink-main-container, ${RESTRICTED_CONTAINER}}
  taskManager:
    podTemplate:
      spec:
        ${taskManagerSpec}
        containers:
          - {name: flink-main-container, ${container}}
`;

const failing = (report: AuditReport) =>
  failingFindings(report, (f) => `${f.controlId} ${f.resource.kind}/${f.resource.name} ${f.messageId} @ ${f.path}`);

describe("every pod spec a custom resource embeds is judged, not only the one at a generic path", () => {
  it("a Volcano Job's task and a FlinkDeployment's task manager template that run privileged on the host fail", async () => {
    const run = await auditTree(
      {
        "good.yaml": GOOD,
        "volcano-good.yaml": VOLCANO("volcano-good", RESTRICTED_POD, RESTRICTED_CONTAINER),
        "flink-good.yaml": FLINK("flink-good", RESTRICTED_POD, RESTRICTED_CONTAINER),
        "volcano.yaml": VOLCANO(
          "volcano",
          `${RESTRICTED_POD}\n          hostPID: true`,
          "securityContext: {privileged: true, capabilities: {drop: [ALL]}}",
        ),
        "flink.yaml": FLINK(
          "flink",
          `${RESTRICTED_POD}\n        hostNetwork: true`,
          "securityContext: {privileged: true, capabilities: {drop: [ALL], add: [SYS_ADMIN]}}",
        ),
      },
      CONTROLS,
    );
    expectVerdict(run, failing, [
      "pod-no-host-access FlinkDeployment/flink hostNamespace @ spec.taskManager.podTemplate.spec.hostNetwork",
      "pod-no-host-access FlinkDeployment/flink privilegedContainer @ spec.taskManager.podTemplate.spec.containers[0].securityContext.privileged",
      "pod-no-host-access Job/volcano hostNamespace @ spec.tasks[0].template.spec.hostPID",
      "pod-no-host-access Job/volcano privilegedContainer @ spec.tasks[0].template.spec.containers[0].securityContext.privileged",
      "pod-restricted-context FlinkDeployment/flink allowPrivilegeEscalation @ spec.taskManager.podTemplate.spec.containers[0].securityContext",
      "pod-restricted-context FlinkDeployment/flink capabilitiesAdd @ spec.taskManager.podTemplate.spec.containers[0].securityContext.capabilities.add",
      "pod-restricted-context Job/volcano allowPrivilegeEscalation @ spec.tasks[0].template.spec.containers[0].securityContext",
    ]);
  });
});
