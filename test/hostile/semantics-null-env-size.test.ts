/**
 * Issue 13 (null is unset, env as the kubelet builds it, size is the HPA's range), fail closed: a
 * privileged container planted behind each of these readings sits beside a good manifest; the run
 * exits 1 with the planted findings, and the good manifest is still audited.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";

/** Helm renders unset values as null: nulls everywhere around a privileged container. */
const NULLS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: planted
  namespace: erlmcp
  labels: null
  annotations: null
spec:
  replicas: null
  selector:
    matchLabels: {app: planted}
  template:
    metadata:
      labels: {app: planted}
      annotations: null
    spec:
      securityContext: null
      hostNetwork: null
      containers:
        - name: planted
          image: example/planted:1.0
          resources: null
          env: null
          securityContext:
            privileged: true
            runAsNonRoot: null
            capabilities: null
`;

/** A Secret-backed cookie entry that a later literal entry overrides, in a privileged Erlang node. */
const ENV = `apiVersion: v1
kind: Secret
metadata: {name: cookie, namespace: erlmcp}
data: {RELEASE_COOKIE: c2VjcmV0}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: planted
  namespace: erlmcp
spec:
  serviceName: planted
  selector:
    matchLabels: {app: planted}
  template:
    metadata:
      labels: {app: planted}
    spec:
      containers:
        - name: planted
          image: example/planted:1.0
          securityContext: {privileged: true}
          envFrom:
            - secretRef: {name: cookie}
          env:
            - name: RELEASE_COOKIE
              valueFrom:
                secretKeyRef: {name: cookie, key: RELEASE_COOKIE}
            - name: RELEASE_COOKIE
              value: overriding-literal
`;

/** A Deployment without replicas (1) that an HPA scales to 3..10: it needs a PDB. */
const SIZE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: planted
  namespace: erlmcp
spec:
  selector:
    matchLabels: {app: planted}
  template:
    metadata:
      labels: {app: planted}
    spec:
      containers:
        - name: planted
          image: example/planted:1.0
          securityContext: {privileged: true}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: planted, namespace: erlmcp}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: planted}
  minReplicas: 3
  maxReplicas: 10
`;

const CASES: Array<[string, string, string, string[]]> = [
  ["null at every level", NULLS, "pod-no-host-access,pod-restricted-context", ["privilegedContainer", "runAsNonRoot"]],
  [
    "a cookie entry overridden by a later literal",
    ENV,
    "pod-no-host-access,sec-erlang-cookie-from-secret",
    ["cookieNotFromSecret", "privilegedContainer"],
  ],
  ["a Deployment without replicas under an HPA of 3..10", SIZE, "pod-no-host-access,avl-pdb-consistent", ["noPdb", "privilegedContainer"]],
];

describe("null, env and size read as Kubernetes reads them: nothing hides a privileged container", () => {
  it.each(CASES)("%s: exit 1, the planted findings, the good manifest audited", async (_name, text, controls, expected) => {
    const root = tempTree({ "good/deployment.yaml": SURVIVOR_DEPLOYMENT, "case/planted.yaml": text });
    const run = await runCli([join(root, "case"), join(root, "good"), "--controls", controls, "--no-config", "--format", "json"]);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.inputErrors).toEqual([]);
    expect(run.code, run.stderr).toBe(1);
    const planted = report.findings.filter((f) => f.status === "fail" && f.resource.name === "planted").map((f) => f.messageId);
    expect([...new Set(planted)].sort()).toEqual(expect.arrayContaining(expected));
    expect(report.units.flatMap((u) => u.resources.map((r) => r.name))).toContain("survivor");
  });
});
