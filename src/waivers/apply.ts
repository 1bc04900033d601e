/** Matches findings against waivers: active waivers waive, expired ones do not, unused ones are reported. */
import { calendarDate, daysBetween } from "../config/dates.js";
import type { Finding, K8sObject } from "../types.js";
import type { Waiver, WaiverState, WaiverStatus } from "./types.js";

export const DEFAULT_EXPIRY_WARNING_DAYS = 14;

/**
 * Days from the audit date to the last day of the waiver (0 on that day, negative after it).
 * An `expires` that is not a real date counts as long expired: a waiver never outlives a date nobody can read.
 */
export function daysUntil(expires: string, now: Date): number {
  return daysBetween(calendarDate(now), expires) ?? Number.MIN_SAFE_INTEGER;
}

/** Whether the finding's data has every value the waiver names, exactly (same type, same value). */
function dataMatches(wanted: Waiver["data"], actual: Finding["data"]): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => Object.hasOwn(actual, key) && actual[key] === value);
}

/**
 * Whether a waiver covers a finding: same control and message ID, the data it names, and the resource
 * its match pins (kind, namespace, name and labels, each only when given).
 */
export function waiverMatches(waiver: Waiver, finding: Finding, object: K8sObject | undefined): boolean {
  const { kind, namespace, name, labels } = waiver.match;
  if (waiver.control !== finding.controlId || waiver.messageId !== finding.messageId) return false;
  if (kind !== undefined && kind !== finding.resource.kind) return false;
  if (namespace !== undefined && namespace !== finding.resource.namespace) return false;
  if (name !== undefined && name !== finding.resource.name) return false;
  if (labels) {
    const actual = object?.metadata?.labels ?? {};
    if (!Object.entries(labels).every(([k, v]) => Object.hasOwn(actual, k) && actual[k] === v)) return false;
  }
  return dataMatches(waiver.data, finding.data);
}

export interface WaiverOptions {
  now: Date;
  warnDays?: number;
  /** Look up the object a finding is about (for label matches). */
  objectOf?: (finding: Finding) => K8sObject | undefined;
}

function stateOf(daysLeft: number, warnDays: number): WaiverState {
  return daysLeft < 0 ? "expired" : daysLeft <= warnDays ? "expiring" : "active";
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
    return { ...w, daysLeft, matched: 0, state: stateOf(daysLeft, warnDays) };
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
