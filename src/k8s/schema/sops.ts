/**
 * SOPS-encrypted manifests as committed: the decrypting tool (Flux, ksops, helm-secrets) removes the
 * top-level `sops` metadata and replaces each `ENC[...]` value before anything reaches the API server.
 */
import type { K8sObject } from "../../types.js";

/** One value encrypted by SOPS: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]`. */
const ENCRYPTED = /^ENC\[[A-Z0-9_]+,data:[^,\]]*,iv:[^,\]]*,tag:[^,\]]*,type:[a-z]+\]$/;

/** True when `object` carries SOPS metadata (a top-level `sops` mapping). */
export function isSopsEncrypted(object: K8sObject): boolean {
  const sops = object.sops;
  return sops !== null && typeof sops === "object" && !Array.isArray(sops);
}

/**
 * The object as the API server will see its shape after decryption: without the `sops` metadata, and
 * with the encrypted values of a Secret's `data` standing for the base64 they decrypt to. Encrypted
 * values anywhere else stay as written (strings), so a field that needs another type still fails.
 */
export function decryptedShape(object: K8sObject): K8sObject {
  if (!isSopsEncrypted(object)) return object;
  const { sops: _metadata, ...rest } = object;
  const data = rest.data;
  if (object.apiVersion !== "v1" || object.kind !== "Secret" || data === null || typeof data !== "object" || Array.isArray(data))
    return rest;
  const plain = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === "string" && ENCRYPTED.test(v) ? "" : v]));
  return { ...rest, data: plain };
}
