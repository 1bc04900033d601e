/**
 * avl-job-sidecar-completes beyond its fixtures: Istio's injection precedence (namespace and revision
 * labels, label over annotation, YAML booleans), the native sidecar parameter, which bare Pods count
 * as meant to complete, and malformed input (values of the wrong type, nulls, duplicate Namespaces,
 * Jobs without a pod template). Rego (the
 * compiled bundle) and the TypeScript validator must report the same findings, data and paths, without
 * an evaluation error.
 */
import { describe, expect, it } from "vitest";
import { formatPath } from "../../src/k8s/field-path.js";
import { engineFindings } from "../helpers/engine-findings.js";

/** Each engine's findings as `Kind/ns/name (injectedBy) @ path`, sorted; fails on an evaluation error. */
const findings = engineFindings(
  ["avl-job-sidecar-completes"],
  (v) => `${v.resource.kind}/${v.resource.namespace}/${v.resource.name} (${String(v.data.injectedBy)}) @ ${formatPath(v.path ?? [])}`,
);

const ns = (name: string, labels: string) => `apiVersion: v1
kind: Namespace
metadata: { name: ${name}, labels: ${labels} }
---
`;
const INJECTING = ns("erlmcp", "{ istio-injection: enabled }");
const job = (name: string, podMetadata: string, namespace = "erlmcp") => `apiVersion: batch/v1
kind: Job
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  template:
    metadata: ${podMetadata}
    spec:
      restartPolicy: Never
      containers: [{ name: task, image: task }]
---
`;
const pod = (name: string, metadata: string, spec: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: erlmcp${metadata} }
spec: ${spec}
---
`;
const AT_METADATA = "@ spec.template.metadata";
const BY_NAMESPACE = "(namespace label istio-injection=enabled)";

const CASES: Array<[string, string, string[], Record<string, unknown>?]> = [
  [
    "a revision label on the namespace, unless istio-injection is set",
    ns("rev", "{ istio.io/rev: 1-24 }") +
      job("a", "{}", "rev") +
      ns("both", "{ istio.io/rev: 1-24, istio-injection: disabled }") +
      job("b", "{}", "both"),
    ["Job/rev/a (namespace label istio.io/rev) @ spec.template.metadata"],
  ],
  [
    "pod labels select in an unlabelled namespace; the annotation alone does not",
    job("a", '{ labels: { sidecar.istio.io/inject: "true" } }', "batch") +
      job("b", "{ labels: { istio.io/rev: canary } }", "batch") +
      job("c", '{ annotations: { sidecar.istio.io/inject: "true" } }', "batch"),
    [
      "Job/batch/a (pod template label sidecar.istio.io/inject=true) @ spec.template.metadata",
      "Job/batch/b (pod template label istio.io/rev) @ spec.template.metadata",
    ],
  ],
  [
    "the label wins over the annotation; YAML true values inject, others opt out",
    INJECTING +
      job("a", '{ labels: { sidecar.istio.io/inject: "true" }, annotations: { sidecar.istio.io/inject: "false" } }') +
      job("b", '{ labels: { sidecar.istio.io/inject: "false" }, annotations: { sidecar.istio.io/inject: "true" } }') +
      job("c", '{ labels: { sidecar.istio.io/inject: "Yes" } }') +
      job("d", '{ labels: { sidecar.istio.io/inject: "False" } }') +
      job("e", '{ annotations: { sidecar.istio.io/inject: "off" } }'),
    [`Job/erlmcp/a ${BY_NAMESPACE} @ spec.template.metadata.annotations`, `Job/erlmcp/c ${BY_NAMESPACE} ${AT_METADATA}`],
  ],
  [
    "native sidecars mesh-wide: only an annotation of exactly false turns them off",
    INJECTING +
      job("a", "{}") +
      job("b", '{ annotations: { sidecar.istio.io/nativeSidecar: "false" } }') +
      job("c", '{ annotations: { sidecar.istio.io/nativeSidecar: "True" } }') +
      job("d", '{ annotations: { sidecar.istio.io/nativeSidecar: "" } }'),
    [`Job/erlmcp/b ${BY_NAMESPACE} @ spec.template.metadata.annotations["sidecar.istio.io/nativeSidecar"]`],
    { nativeSidecarsMeshWide: true },
  ],
  [
    "without native sidecars mesh-wide, any non-empty annotation but exactly false is native",
    INJECTING +
      job("a", '{ annotations: { sidecar.istio.io/nativeSidecar: "False" } }') +
      job("b", '{ annotations: { sidecar.istio.io/nativeSidecar: "yes" } }') +
      job("c", '{ annotations: { sidecar.istio.io/nativeSidecar: "" } }') +
      job("d", '{ annotations: { sidecar.istio.io/nativeSidecar: "false" } }'),
    [
      `Job/erlmcp/c ${BY_NAMESPACE} @ spec.template.metadata.annotations["sidecar.istio.io/nativeSidecar"]`,
      `Job/erlmcp/d ${BY_NAMESPACE} @ spec.template.metadata.annotations["sidecar.istio.io/nativeSidecar"]`,
    ],
  ],
  [
    "labels and annotations of another type count as absent",
    INJECTING +
      job("a", "{ labels: { sidecar.istio.io/inject: false }, annotations: { sidecar.istio.io/inject: 'false' } }") +
      job("b", "{ labels: { sidecar.istio.io/inject: false } }") +
      job("c", "{ annotations: { sidecar.istio.io/nativeSidecar: true } }") +
      job("d", '{ labels: "sidecar.istio.io/inject=false", annotations: [1] }') +
      ns("typed", "{ istio-injection: true }") +
      job("e", "{}", "typed"),
    [
      `Job/erlmcp/b ${BY_NAMESPACE} ${AT_METADATA}`,
      `Job/erlmcp/c ${BY_NAMESPACE} @ spec.template.metadata.annotations["sidecar.istio.io/nativeSidecar"]`,
      `Job/erlmcp/d ${BY_NAMESPACE} @ spec.template.metadata.annotations`,
    ],
  ],
  [
    "nulls, a missing or scalar pod template, metadata or spec",
    INJECTING +
      job("a", "null") +
      `apiVersion: batch/v1
kind: Job
metadata: { name: b, namespace: erlmcp }
spec: { template: null }
---
apiVersion: batch/v1
kind: Job
metadata: { name: c, namespace: erlmcp }
spec: { template: "pod" }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: d, namespace: erlmcp }
spec: { jobTemplate: { spec: { template: { metadata: { labels: null }, spec: null } } } }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: e, namespace: erlmcp }
spec: { jobTemplate: null }
`,
    [`CronJob/erlmcp/d ${BY_NAMESPACE} @ spec.jobTemplate.spec.template.metadata`, `Job/erlmcp/a ${BY_NAMESPACE} @ spec.template`],
  ],
  [
    "duplicate Namespace objects: one that injects is enough; a Job without a namespace is in none",
    ns("erlmcp", "{}") +
      INJECTING +
      job("a", "{}") +
      `apiVersion: batch/v1
kind: Job
metadata: { name: b }
spec: { template: { spec: { containers: [{ name: t, image: t }] } } }
`,
    [`Job/erlmcp/a ${BY_NAMESPACE} ${AT_METADATA}`],
  ],
  [
    "bare Pods: only Never or OnFailure as written, no controller owner, at the Pod's own metadata",
    INJECTING +
      pod("never", "", "{ restartPolicy: Never, containers: [{ name: t, image: t }] }") +
      pod("on-failure", ', annotations: { sidecar.istio.io/nativeSidecar: "false" }', "{ restartPolicy: OnFailure }") +
      pod("always", "", "{ restartPolicy: Always }") +
      pod("default", "", "{ containers: [{ name: t, image: t }] }") +
      pod("lower-case", "", "{ restartPolicy: never }") +
      pod("typed", "", "{ restartPolicy: [Never] }") +
      pod("null-spec", "", "null") +
      pod("scalar-spec", "", "Never") +
      pod("owned", ", ownerReferences: [{ kind: Job, name: j, controller: true }]", "{ restartPolicy: Never }") +
      pod("gc-owned", ", ownerReferences: [{ kind: ConfigMap, name: c }, null, 7]", "{ restartPolicy: Never }") +
      pod("scalar-owners", ", ownerReferences: Job", "{ restartPolicy: Never }"),
    [
      `Pod/erlmcp/gc-owned ${BY_NAMESPACE} @ metadata`,
      `Pod/erlmcp/never ${BY_NAMESPACE} @ metadata`,
      `Pod/erlmcp/on-failure ${BY_NAMESPACE} @ metadata.annotations["sidecar.istio.io/nativeSidecar"]`,
      `Pod/erlmcp/scalar-owners ${BY_NAMESPACE} @ metadata`,
    ],
  ],
  [
    "a host-network pod is never injected",
    INJECTING +
      `apiVersion: batch/v1
kind: Job
metadata: { name: a, namespace: erlmcp }
spec: { template: { spec: { hostNetwork: true, containers: [{ name: t, image: t }] } } }
`,
    [],
  ],
];

describe("avl-job-sidecar-completes: Istio precedence and malformed input, both engines", () => {
  it.each(CASES)("%s", async (_name, text, expected, params) => {
    const found = await findings(text, params);
    expect(found.rego).toEqual(expected);
    expect(found.typescript).toEqual(expected);
  });
});
