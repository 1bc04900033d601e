/**
 * One Istio injection decision for avl-job-sidecar-completes and net-mesh-edge-coherent: pods spelled to
 * slip past one control's reading of `sidecar.istio.io/inject` (an opt-out annotation under a label that
 * injects, a "TRUE" label, an opt-out that is not exactly "false"), planted beside good manifests and
 * audited through the CLI with the Rego (wasm) and TypeScript engines: each control sees the sidecar
 * Istio injects, the opted-out pods stay silent, and the engines agree.
 */
import { describe, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree, expectVerdict, failingFindings } from "../helpers/audit-tree.js";
import { EDGE_SERVICE } from "../helpers/tmp.js";

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata: {name: erlmcp, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: erlmcp}
spec: {mtls: {mode: STRICT}}
`;

/** A Deployment of pods labelled `app: x` (what {@link EDGE_SERVICE} selects) with the given pod metadata. */
const EDGE_DEPLOYMENT = (name: string, podMetadata: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: erlmcp}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: ${podMetadata}
    spec:
      containers:
        - {name: app, image: example/app:1.0, ports: [{name: http, containerPort: 80}]}
`;

const JOB = (name: string, podMetadata: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}, namespace: erlmcp}
spec:
  template:
    metadata: ${podMetadata}
    spec:
      restartPolicy: Never
      containers: [{name: task, image: example/task:1.0}]
`;

const CONTROLS = "avl-job-sidecar-completes,net-mesh-edge-coherent";

const audit = (files: Record<string, string>) => auditTree(files, CONTROLS);

const failing = (report: AuditReport) =>
  failingFindings(report, (f) => `${f.controlId} ${f.resource.kind}/${f.resource.name} ${f.messageId}`);

describe("a pod spelled to dodge one control's sidecar check is judged as Istio injects it, by both engines", () => {
  it("an opt-out annotation under an injecting label, and a TRUE label, are found; opt-outs spelled no or False stay silent", async () => {
    expectVerdict(
      await audit({
        "namespace.yaml": NAMESPACE,
        "edge.yaml": EDGE_SERVICE(),
        "dodger.yaml": EDGE_DEPLOYMENT(
          "dodger",
          `{labels: {app: x, sidecar.istio.io/inject: "true"}, annotations: {sidecar.istio.io/inject: "false"}}`,
        ),
        "job-upper.yaml": JOB("migrate", `{labels: {sidecar.istio.io/inject: "TRUE"}}`),
        "job-opted-out.yaml": JOB("cleanup", `{labels: {sidecar.istio.io/inject: "False"}}`),
      }),
      failing,
      ["avl-job-sidecar-completes Job/migrate sidecarBlocksCompletion", "net-mesh-edge-coherent Service/edge strictBehindExternalService"],
    );
  });

  it("a pod opted out with a label spelled no has no sidecar: STRICT does not refuse its LoadBalancer clients", async () => {
    expectVerdict(
      await audit({
        "namespace.yaml": NAMESPACE,
        "edge.yaml": EDGE_SERVICE(),
        "legacy.yaml": EDGE_DEPLOYMENT(
          "legacy",
          `{labels: {app: x, sidecar.istio.io/inject: "no"}, annotations: {sidecar.istio.io/inject: "true"}}`,
        ),
        "job-opted-out.yaml": JOB("cleanup", `{annotations: {sidecar.istio.io/inject: "0"}}`),
      }),
      failing,
      [],
    );
  });
});
