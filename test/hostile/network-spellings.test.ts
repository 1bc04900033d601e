/**
 * NetworkPolicy peers spelled to admit everything without the spelling the controls looked for, each
 * accepted by kube-apiserver 1.34 (the CIDRs with a warning only): namespace selectors every new
 * namespace matches without being `{}` (`kubernetes.io/metadata.name` Exists, a NotIn, a DoesNotExist of
 * another label), a podSelector every unlabelled pod matches beside `namespaceSelector: {}`, and the whole
 * IPv4 space as `00.0.0.0/0` or the IPv4-mapped `::ffff:0:0/96` (which the API server reads as
 * `0.0.0.0/0`), in ingress and egress; and an egress port range from 1 to 65535, every port as surely as
 * an entry without `port`. Planted beside a good policy set and audited through the CLI with
 * the Rego (wasm), TypeScript and Kyverno engines: each is found once, the engines agree, and narrow
 * spellings of the same shapes stay silent.
 */
import { describe, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { auditTree, expectVerdict, failingFindings } from "../helpers/audit-tree.js";

const CONTROLS = "net-no-open-ingress,net-egress-allowlist";

/** A good set: a namespace, a default deny and an ingress policy naming the ingress controller's pods. */
const GOOD = `apiVersion: v1
kind: Namespace
metadata: {name: erlmcp}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: erlmcp}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-ingress-nginx, namespace: erlmcp}
spec:
  podSelector: {matchLabels: {app: erlmcp}}
  policyTypes: [Ingress]
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
          podSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
      ports: [{port: 8080}]
`;

/** A NetworkPolicy with one rule (ingress `from` or egress `to`, on 443) whose only peer is `peer` (flow YAML). */
function policy(name: string, direction: "ingress" | "egress", peer: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: erlmcp}
spec:
  podSelector: {}
  policyTypes: [${direction === "ingress" ? "Ingress" : "Egress"}]
  ${direction}:
    - ${direction === "ingress" ? "from" : "to"}: [${peer}]
      ports: [{port: 443}]
`;
}

const audit = (files: Record<string, string>) => auditTree(files, CONTROLS, ["rego", "typescript", "kyverno"]);

const failing = (report: AuditReport) => failingFindings(report, (f) => `${f.controlId} ${f.resource.name} ${f.messageId}`);

describe("NetworkPolicy peers spelled to admit everything are read as the API server reads them, by every engine", () => {
  it("selectors every namespace or pod matches, and the IPv4 space spelled with leading zeros or IPv4-mapped, are found", async () => {
    expectVerdict(
      await audit({
        "good.yaml": GOOD,
        "name-exists.yaml": policy(
          "name-exists",
          "ingress",
          `{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: Exists}]}}`,
        ),
        "name-not-in.yaml": policy(
          "name-not-in",
          "ingress",
          `{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}]}}`,
        ),
        "label-absent.yaml": policy(
          "label-absent",
          "ingress",
          `{namespaceSelector: {matchExpressions: [{key: quarantined, operator: DoesNotExist}]}}`,
        ),
        "any-pod.yaml": policy(
          "any-pod",
          "ingress",
          `{namespaceSelector: {}, podSelector: {matchExpressions: [{key: blocked, operator: DoesNotExist}]}}`,
        ),
        "zeros.yaml": policy("zeros", "ingress", `{ipBlock: {cidr: 00.0.0.0/0}}`),
        "mapped.yaml": policy("mapped", "ingress", `{ipBlock: {cidr: "::ffff:0:0/96"}}`),
        "mapped-halves.yaml": policy(
          "mapped-halves",
          "ingress",
          `{ipBlock: {cidr: "::ffff:0:0/97"}}, {ipBlock: {cidr: "::ffff:128.0.0.0/97"}}`,
        ),
        "egress-zeros.yaml": policy("egress-zeros", "egress", `{ipBlock: {cidr: 000.0.0.0/0}}`),
        "egress-mapped.yaml": policy("egress-mapped", "egress", `{ipBlock: {cidr: "0:0:0:0:0:FFFF:0:0/96"}}`),
        "every-port.yaml": policy("every-port", "egress", `{ipBlock: {cidr: 203.0.113.0/24}}`).replace(
          "[{port: 443}]",
          "[{port: 1, endPort: 65535}]",
        ),
      }),
      failing,
      [
        "net-egress-allowlist egress-mapped egressOpenIpBlock",
        "net-egress-allowlist egress-zeros egressOpenIpBlock",
        "net-egress-allowlist every-port dnsNotKubeDns",
        "net-egress-allowlist every-port egressWithoutPorts",
        "net-no-open-ingress any-pod anyNamespace",
        "net-no-open-ingress label-absent anyNamespace",
        "net-no-open-ingress mapped openIpBlock",
        "net-no-open-ingress mapped-halves openIpBlockUnion",
        "net-no-open-ingress name-exists anyNamespace",
        "net-no-open-ingress name-not-in anyNamespace",
        "net-no-open-ingress zeros openIpBlock",
      ],
    );
  });

  it("selectors that need a label a new namespace or pod lacks, and narrow CIDRs in the same spellings, pass", async () => {
    expectVerdict(
      await audit({
        "good.yaml": GOOD,
        "team.yaml": policy("team", "ingress", `{namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}}`),
        "labelled-pods.yaml": policy(
          "labelled-pods",
          "ingress",
          `{namespaceSelector: {}, podSelector: {matchExpressions: [{key: app, operator: Exists}]}}`,
        ),
        "zeros.yaml": policy("zeros", "ingress", `{ipBlock: {cidr: 010.0.0.0/8}}`),
        "mapped.yaml": policy("mapped", "ingress", `{ipBlock: {cidr: "::ffff:10.0.0.0/104"}}`),
        "egress-mapped.yaml": policy("egress-mapped", "egress", `{ipBlock: {cidr: "::ffff:0:0/96", except: ["::ffff:10.0.0.0/104"]}}`),
        "high-ports.yaml": policy("high-ports", "egress", `{ipBlock: {cidr: 203.0.113.0/24}}`).replace(
          "[{port: 443}]",
          "[{port: 1024, endPort: 65535}]",
        ),
      }),
      failing,
      [],
    );
  });
});
