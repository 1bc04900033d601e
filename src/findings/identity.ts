/**
 * The identity of a finding: the one place that says when two findings are the same. Every reporter,
 * the baseline, the waiver register and the admission webhook key findings with these functions.
 */
import { createHash } from "node:crypto";
import { resourceKey } from "../k8s/resource-key.js";
import { stableJson } from "../tools/stable-json.js";
import type { Finding, ResourceRef } from "../types.js";

export { resourceKey, stableJson };

/** The part of a finding its identity is made of (no message text, severity, line or engine). */
export type FindingIdentity = Pick<Finding, "controlId" | "unit" | "messageId" | "data"> & {
  resource: Pick<ResourceRef, "kind" | "namespace" | "name">;
};

/** The identity of a finding: control, unit, resource, message ID and its data. */
export function findingKey(f: FindingIdentity): string {
  return [f.controlId, f.unit, resourceKey(f.resource), f.messageId, stableJson(f.data)].join("\u0000");
}

/** A finding's identity as a SHA-256 hex digest, for formats that carry fingerprints (SARIF, Code Quality, baselines). */
export function findingFingerprint(f: FindingIdentity): string {
  return createHash("sha256").update(findingKey(f)).digest("hex");
}

/** The report's order of findings: control, unit, resource, message ID, data. */
export function compareFindings(a: FindingIdentity, b: FindingIdentity): number {
  return (
    a.controlId.localeCompare(b.controlId) ||
    a.unit.localeCompare(b.unit) ||
    resourceKey(a.resource).localeCompare(resourceKey(b.resource)) ||
    a.messageId.localeCompare(b.messageId) ||
    stableJson(a.data).localeCompare(stableJson(b.data))
  );
}
