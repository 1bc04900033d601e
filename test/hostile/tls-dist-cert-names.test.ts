/**
 * tls-dist-cert-names, fail closed: the old canary (nodes named by pod IP, certificate of headless DNS
 * names, host name check on) keeps its finding when odd values sit around it (nulls, wrong types, invalid
 * base64, unknown variables, malformed ssl_dist text), and the Rego and TypeScript engines report the
 * same findings at the same fields without an evaluation error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatPath } from "../../src/k8s/field-path.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { engineFindings } from "../helpers/engine-findings.js";

const ID = "tls-dist-cert-names";
const OLD_CANARY = readFileSync(join(PACKAGE_ROOT, "fixtures", ID, "fail.old-canary-named-by-pod-ip.yaml"), "utf8");
const FINDING = "Rollout/erlmcp-canary/erlmcp nodeNamedByPodIp @ spec.template.spec.containers[0].env[4]";

/** The findings of each engine as `Kind/ns/name messageId @ path`, sorted; fails on an evaluation error. */
const findings = engineFindings(
  [ID],
  (v) => `${v.resource.kind}/${v.resource.namespace}/${v.resource.name} ${v.messageId} @ ${formatPath(v.path ?? [])}`,
);

const extra = (doc: string) => `${OLD_CANARY}---\n${doc}`;

const HOSTILE: Array<[string, string]> = [
  [
    "a Secret of the same name whose cert-manager annotations are not strings",
    extra(`apiVersion: v1
kind: Secret
metadata:
  name: erlmcp-dist-tls
  namespace: erlmcp-canary
  annotations: { cert-manager.io/alt-names: 5, cert-manager.io/ip-sans: [10.1.2.3], cert-manager.io/common-name: null }
`),
  ],
  [
    "a second Certificate with null and mistyped names",
    extra(`apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: other, namespace: erlmcp-canary }
spec: { secretName: erlmcp-dist-tls, dnsNames: null, ipAddresses: { a: 1 }, commonName: 7 }
`),
  ],
  [
    "a Certificate without a secretName and one of another API group",
    extra(`apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: no-secret, namespace: erlmcp-canary }
spec: { dnsNames: ["*"] }
---
apiVersion: example.com/v1
kind: Certificate
metadata: { name: foreign, namespace: erlmcp-canary }
spec: { secretName: erlmcp-dist-tls, dnsNames: ["*"], ipAddresses: ["$(POD_IP)"] }
`),
  ],
  [
    "ConfigMaps with invalid base64, numbers and a malformed ssl_dist file",
    extra(`apiVersion: v1
kind: ConfigMap
metadata: { name: junk, namespace: erlmcp-canary }
data: { ssl_dist.conf: "[{client, [{server_name_indication, disable}", vm.args: "-name" }
binaryData: { ssl_dist.conf: "%%%not-base64" }
`),
  ],
];

describe("tls-dist-cert-names with hostile values around the old canary", () => {
  it("reports the old canary's pod-IP node name alone", async () => {
    const found = await findings(OLD_CANARY);
    expect(found.rego).toEqual([FINDING]);
    expect(found.typescript).toEqual(found.rego);
  });

  it.each(HOSTILE)("keeps the finding with %s", async (_name, text) => {
    const found = await findings(text);
    expect(found.rego).toContain(FINDING);
    expect(found.typescript).toEqual(found.rego);
  });

  it("does not stop at odd container fields: nulls, wrong types, unknown and nested variables", async () => {
    const text = OLD_CANARY.replace(
      "          volumeMounts:\n",
      `            - { name: NESTED, value: "$(NESTED)" }
            - { name: NODE_NAME, value: "e@$(NESTED)@$(UNDEFINED).$(POD_NAME)" }
            - null
            - { name: 5, value: x }
          envFrom: [null, { configMapRef: null }, { prefix: 7, configMapRef: { name: junk } }]
          command: null
          volumeMounts:
            - { name: config, mountPath: null }
            - { name: config, mountPath: /x, subPath: 5 }
            - null
`,
    ).replace(
      "      volumes:\n",
      "      volumes:\n        - null\n        - { name: config, configMap: { name: erlmcp-config, items: x } }\n",
    );
    const found = await findings(text);
    expect(found.rego).toContain(FINDING);
    expect(found.typescript).toEqual(found.rego);
  });
});
