import { createHash } from "node:crypto";

/** Namespace of every UUID erlmcp-audit derives (itself UUID v5 of the URL namespace and "erlmcp-audit"). */
export const EVIDENCE_NAMESPACE = "a9e87fa9-73ea-5d95-961e-7889a6c293eb";

/** RFC 9562 UUID version 5: SHA-1 of namespace bytes + name, deterministic for the same content. */
export function uuidv5(name: string, namespace: string = EVIDENCE_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  if (ns.length !== 16) throw new Error(`Not a UUID: ${namespace}`);
  const bytes = createHash("sha1").update(ns).update(name, "utf8").digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
