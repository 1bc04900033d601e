/** Matches findings against waivers: active waivers waive, expired ones do not, unused ones are reported. */
import type { Finding, K8sObject } from "../types.js";
import type { Waiver, WaiverStatus } from "./types.js";

const DAY_MS = 86_400_000;
export const DEFAULT_EXPIRY_WARNING_DAYS = 14;

export function daysUntil(expires: string, now: Date): number {
  const end = Date.parse(`${expires}T23:59:59.999Z`);
  return Math.floor((end - now.getTime()) / DAY_MS);
}

export function waiverMatches(waiver: Waiver, finding: Finding, object: K8sObject | undefined): boolean {
  const { kind, namespace, name, labels } = waiver.match;
  if (waiver.control !== finding.controlId) return false;
  if (kind !== undefined && kind !== finding.resource.kind) return false;
  if (namespace !== undefined && namespace !== finding.resource.namespace) return false;
  if (name !== undefined && name !== finding.resource.name) return false;
  if (labels) {
    const actual = object?.metadata?.labels ?? {};
    if (!Object.entries(labels).every(([k, v]) => actual[k] === v)) return false;
  }
  return true;
}

export interface WaiverOptions {
  now: Date;
  warnDays?: number;
  /** Look up the object a finding is about (for label matches). */
  objectOf?: (finding: Finding) => K8sObject | undefined;
}

/** Returns the findings with waived status applied, and the register of every waiver. */
export function applyWaivers(
  findings: Finding[],
  waivers: readonly Waiver[],
  options: WaiverOptions,
): { findings: Finding[]; register: WaiverStatus[] } {
  const warnDays = options.warnDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
  const register: WaiverStatus[] = waivers.map((w) => {
    const daysLeft = daysUntil(w.expires, options.now);
    return { ...w, daysLeft, matched: 0, state: daysLeft < 0 ? "expired" : daysLeft <= warnDays ? "expiring" : "active" };
  });
  const out = findings.map((finding) => {
    if (finding.status !== "fail") return finding;
    const status = register.find((w) => waiverMatches(w, finding, options.objectOf?.(finding)));
    if (!status) return finding;
    status.matched++;
    const waiver = {
      id: status.id,
      justification: status.justification,
      owner: status.owner,
      approver: status.approver,
      ticket: status.ticket,
      expires: status.expires,
    };
    return status.state === "expired" ? { ...finding, waiver } : { ...finding, status: "waived" as const, waiver };
  });
  return { findings: out, register: register.sort((a, b) => a.id.localeCompare(b.id)) };
}
