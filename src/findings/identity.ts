/**
 * The identity of a finding: the one place that says when two findings are the same. Every reporter,
 * the baseline, the waiver register and the admission webhook key findings with these functions.
 */
import { createHash } from "node:crypto";
import type { Finding, ResourceRef } from "../types.js";

/** The part of a finding its identity is made of (no message text, severity, line or engine). */
export type FindingIdentity = Pick<Finding, "controlId" | "unit" | "messageId" | "data"> & {
  resource: Pick<ResourceRef, "kind" | "namespace" | "name">;
};

/** JSON with object keys sorted at every depth: equal data gives equal text whatever the key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** `kind/namespace/name`: which object a finding is about (API version left out, as kubectl get does). */
export function resourceKey(ref: Pick<ResourceRef, "kind" | "namespace" | "name">): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

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
