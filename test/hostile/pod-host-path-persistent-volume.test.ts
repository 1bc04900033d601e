/**
 * A hostPath reached through a claim: a PersistentVolume of the node's root, pre-bound to a claim that
 * a restricted pod mounts. The pod's own spec has no hostPath (Pod Security admission passes it), yet
 * the kubelet mounts the node path into it. Planted beside a restricted pod on a network-backed volume
 * and audited through the CLI with the Rego and Kyverno engines: only the hostPath PersistentVolume fails.
 */
import { describe, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree, expectVerdict, failingFindings } from "../helpers/audit-tree.js";

/** A PersistentVolume of `source`, a claim pre-bound to it and a restricted pod that mounts the claim. */
const STACK = (name: string, source: string) => `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  claimRef: {namespace: erlmcp, name: ${name}}
  ${source}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: erlmcp}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  volumeName: ${name}
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: erlmcp}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
  volumes: [{name: data, persistentVolumeClaim: {claimName: ${name}}}]
  containers:
    - name: app
      image: example/app:1.0
      volumeMounts: [{name: data, mountPath: /data}]
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

const failing = (report: AuditReport) =>
  failingFindings(report, (f) => `${f.controlId} ${f.resource.kind}/${f.resource.name} ${f.messageId} @ ${f.path}`);

describe("a hostPath PersistentVolume is host access, whichever pod's claim binds it", () => {
  it("the node's root as a PersistentVolume fails; a network-backed one beside it does not", async () => {
    const run = await auditTree(
      {
        "good.yaml": STACK("shared", "nfs: {server: nfs.example.internal, path: /exports/erlmcp}"),
        "node-root.yaml": STACK("node-root", "hostPath: {path: /}"),
      },
      "pod-no-host-access,pod-restricted-context",
      ["rego", "kyverno"],
    );
    expectVerdict(run, failing, ["pod-no-host-access PersistentVolume/node-root hostPathPersistentVolume @ spec.hostPath"]);
  });
});
