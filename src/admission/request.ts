/** Reading an admission.k8s.io/v1 AdmissionReview: the request, its audit record, and whether it is evaluated. */
import type { K8sObject } from "../types.js";
import type { DecisionOptions, DecisionRecord } from "./types.js";

/** The fields of `request` the webhook reads. */
export interface AdmissionRequest {
  uid: string;
  kind?: { kind?: string };
  name?: string;
  namespace?: string;
  operation?: string;
  subResource?: string;
  userInfo?: { username?: string };
  object?: K8sObject | null;
}

/**
 * Subresources whose requests are evaluated. `pods/ephemeralcontainers` (UPDATE, `kubectl debug`)
 * carries the whole Pod with its new `spec.ephemeralContainers`. Every other subresource is skipped:
 * `status` (the API server ignores spec changes through it), `scale` (replicas only), `binding`,
 * `eviction`, `resize` (resources only), `exec`/`attach`/`portforward`/`proxy` (CONNECT), `token`,
 * `approval`, `finalize`; manifests/admission registers none of them.
 */
export const EVALUATED_SUBRESOURCES: ReadonlySet<string> = new Set(["ephemeralcontainers"]);

/** A request that is not an AdmissionReview: the HTTP status and the reason. */
export interface BadRequest {
  httpStatus: number;
  error: string;
}

/** Parses an AdmissionReview; a malformed body or a wrong kind is a 400 with the reason. */
export function parseReview(body: string): AdmissionRequest | BadRequest {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch (error) {
    return { httpStatus: 400, error: `malformed JSON: ${(error as Error).message}` };
  }
  const r = review as { apiVersion?: unknown; kind?: unknown; request?: { uid?: unknown } } | null;
  if (!r || typeof r !== "object" || r.apiVersion !== "admission.k8s.io/v1" || r.kind !== "AdmissionReview")
    return { httpStatus: 400, error: "expected an admission.k8s.io/v1 AdmissionReview" };
  if (!r.request || typeof r.request !== "object" || typeof r.request.uid !== "string" || !r.request.uid)
    return { httpStatus: 400, error: "AdmissionReview has no request.uid" };
  return r.request as AdmissionRequest;
}

/** The audit record of a request before any decision (`skipped`, allowed, no controls). */
export function requestRecord(request: AdmissionRequest): DecisionRecord {
  const object = request.object;
  const kind = (object && typeof object.kind === "string" ? object.kind : request.kind?.kind) ?? "";
  return {
    uid: request.uid,
    operation: request.operation ?? "",
    kind,
    namespace: request.namespace || (kind === "Namespace" ? (request.name ?? "") : ""),
    name: request.name || String(object?.metadata?.name ?? object?.metadata?.generateName ?? ""),
    ...(request.subResource ? { subResource: request.subResource } : {}),
    user: request.userInfo?.username ?? "",
    decision: "skipped",
    allowed: true,
    controls: [],
  };
}

/** Why the request is allowed without evaluation, or undefined when it is evaluated. */
export function skipReason(
  request: AdmissionRequest,
  record: DecisionRecord,
  options: Pick<DecisionOptions, "excludeNamespaces">,
): string | undefined {
  if (record.operation !== "CREATE" && record.operation !== "UPDATE") return `operation ${record.operation || "(none)"} is not evaluated`;
  if (request.subResource && !EVALUATED_SUBRESOURCES.has(request.subResource)) return `subresource ${request.subResource} is not evaluated`;
  if (options.excludeNamespaces.includes(record.namespace)) return `namespace ${record.namespace} is excluded`;
  return undefined;
}

/** How far into a body the request's uid is looked for when the body is over the size limit. */
export const UID_PREFIX_BYTES = 4096;

/**
 * The request uid from the first bytes of an AdmissionReview too large to read: the API server writes
 * `kind`, `apiVersion`, then `request` with `uid` first, so a denial can still be addressed to it.
 */
export function uidFromPrefix(prefix: string): string | undefined {
  const head = /^\s*\{\s*((?:"(?:kind|apiVersion)"\s*:\s*"[^"\\]*"\s*,\s*)*)"request"\s*:\s*\{\s*"uid"\s*:\s*"([^"\\]{1,128})"/.exec(
    prefix,
  );
  if (!head) return undefined;
  const fields = head[1]!;
  return /"apiVersion"\s*:\s*"admission\.k8s\.io\/v1"/.test(fields) && /"kind"\s*:\s*"AdmissionReview"/.test(fields) ? head[2] : undefined;
}
