/**
 * At the webhook, the walk that checks a review against the size limits also tells whether its object holds a
 * null-valued key (walkLimits), and an object without one is not searched again. A null anywhere must still be
 * the key absent, as the API server stores it: each review below is decided exactly as its twin without the
 * null keys, and the engines are told of nulls only where there are none.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AdmissionEvaluator } from "../../src/admission/evaluator.js";
import { DEFAULT_LIMITS, walkLimits } from "../../src/admission/limits.js";
import { handleReview } from "../../src/admission/review.js";
import type { DecisionOptions, ReviewResult } from "../../src/admission/types.js";
import { stripNullKeys } from "../../src/k8s/strip-nulls.js";
import type { K8sObject } from "../../src/types.js";
import { referencePod } from "../admission/helpers.js";

const options: DecisionOptions = { denyOn: "high", mode: "enforce", onError: "deny", excludeNamespaces: [], limits: DEFAULT_LIMITS };

function review(object: unknown): string {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: { uid: "u1", kind: { kind: "Pod" }, operation: "CREATE", namespace: "erlmcp", userInfo: { username: "t" }, object },
  });
}

/** The decision without what differs by request: the response and the record's controls and reasons. */
const decision = (result: ReviewResult) => ({ status: result.httpStatus, body: JSON.parse(result.body) as unknown, record: result.record });

/** The reference Pod with `change` applied to a copy (a null put where it says). */
function pod(change: (p: any) => void): K8sObject {
  const p = referencePod("erlmcp-0") as any;
  change(p);
  return p as K8sObject;
}

const NULLED: Array<[string, K8sObject]> = [
  ["the pod's securityContext", pod((p) => (p.spec.securityContext = null))],
  ["a container's securityContext", pod((p) => (p.spec.containers[0].securityContext = null))],
  ["a field inside a container's securityContext", pod((p) => (p.spec.containers[0].securityContext.runAsNonRoot = null))],
  ["a capability list", pod((p) => (p.spec.containers[0].securityContext.capabilities = null))],
  ["a label", pod((p) => (p.metadata.labels["app.kubernetes.io/name"] = null))],
  ["metadata.labels", pod((p) => (p.metadata.labels = null))],
  ["metadata.name", pod((p) => (p.metadata.name = null))],
  ["metadata.namespace", pod((p) => (p.metadata.namespace = null))],
  [
    "hostNetwork beside a privileged container",
    pod((p) => ((p.spec.hostNetwork = null), (p.spec.containers[0].securityContext = { privileged: true }))),
  ],
  ["a volume's source", pod((p) => (p.spec.volumes = [...(p.spec.volumes ?? []), { name: "v", hostPath: null, emptyDir: {} }]))],
];

describe("null-valued keys at the webhook, found by the limit walk", () => {
  let evaluator: AdmissionEvaluator;
  beforeAll(async () => {
    evaluator = await AdmissionEvaluator.load({ config: {}, waivers: [], profile: "production" });
  });
  const decide = (object: unknown) => decision(handleReview(review(object), evaluator, options, new Date(0)));

  it.each(NULLED)("a null %s: decided as its twin without it", (_where, nulled) => {
    expect(walkLimits(nulled, DEFAULT_LIMITS).nullKey).toBe(true);
    const twin = stripNullKeys(structuredClone(nulled));
    expect(walkLimits(twin, DEFAULT_LIMITS).nullKey).toBe(false);
    expect(decide(nulled)).toEqual(decide(twin));
  });

  it("nulls that change what the engines see if taken as values: the twins above would catch a wrong answer", () => {
    const read = (object: K8sObject, walked?: { nullKey: boolean }) =>
      evaluator
        .evaluate(structuredClone(object), new Date(0), walked)
        .map((f) => `${f.controlId} ${f.status} ${f.messageId} ${f.path}`)
        .sort();
    for (const where of ["metadata.labels", "a field inside a container's securityContext"]) {
      const nulled = NULLED.find(([w]) => w === where)![1];
      const asStored = read(nulled);
      expect(read(nulled, { nullKey: true })).toEqual(asStored);
      // Told wrongly that it holds none, the engines read the null as a value and answer otherwise: for the
      // labels, the missing-label findings vanish.
      expect(read(nulled, { nullKey: false }), where).not.toEqual(asStored);
    }
  });

  it("null list items are no keys: kept, and the object is judged as it is", () => {
    const withNullItem = pod((p) => (p.spec.containers[0].args = ["--flag", null]));
    expect(walkLimits(withNullItem, DEFAULT_LIMITS).nullKey).toBe(false);
    expect(stripNullKeys(withNullItem)).toBe(withNullItem);
    expect(decide(withNullItem)).toEqual(decide(structuredClone(withNullItem)));
  });
});
