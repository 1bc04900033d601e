/** An overloaded webhook (no worker free before the deadline) denies even with `--on-error allow`. */
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/admission/limits.js";
import { failureResult } from "../../src/admission/review.js";
import type { DecisionOptions } from "../../src/admission/types.js";

const body = JSON.stringify({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: {
    uid: "u1",
    operation: "CREATE",
    namespace: "erlmcp",
    name: "p",
    object: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", securityContext: { privileged: true } }] },
    },
  },
});
const options = (onError: DecisionOptions["onError"]): DecisionOptions => ({
  denyOn: "low",
  mode: "enforce",
  onError,
  excludeNamespaces: [],
  limits: { ...DEFAULT_LIMITS },
});
const allowed = (result: { body: string }) => (JSON.parse(result.body) as { response: { allowed: boolean } }).response.allowed;

describe("failures under --on-error allow", () => {
  it("deny when the webhook is overloaded, so flooding it cannot get a privileged Pod admitted", () => {
    const result = failureResult(body, "no evaluation worker was free within 5000 ms", "overload", options("allow"));
    expect(allowed(result)).toBe(false);
    expect(result.record).toMatchObject({ decision: "error", causedBy: "overload", allowed: false });
  });

  it("allow with a warning only when the webhook itself failed", () => {
    expect(allowed(failureResult(body, "the policies could not be loaded", "webhook", options("allow")))).toBe(true);
    expect(allowed(failureResult(body, "the policies could not be loaded", "webhook", options("deny")))).toBe(false);
    expect(allowed(failureResult(body, "evaluation timed out", "request", options("allow")))).toBe(false);
  });
});
