/** Resolves a control's parameters and severity for a profile: control defaults, then profile, then config. */
import type { Control } from "../catalog/types.js";
import type { Params, Severity } from "../types.js";
import type { AuditConfig, ControlOverride } from "./types.js";

export const PROFILES = ["production", "staging", "development"] as const;
export type ProfileName = (typeof PROFILES)[number];
export const DEFAULT_PROFILE: ProfileName = "production";

function overridesFor(config: AuditConfig | undefined, controlId: string, profile: string): ControlOverride[] {
  if (!config) return [];
  return [config.controls?.[controlId], config.profiles?.[profile]?.controls?.[controlId]].filter(
    (o): o is ControlOverride => o !== undefined,
  );
}

export function resolveParams(control: Control, profile: string, config?: AuditConfig): Params {
  return Object.assign(
    {},
    control.params?.defaults,
    control.profiles?.[profile]?.params,
    ...overridesFor(config, control.id, profile).map((o) => o.params),
  );
}

export function resolveSeverity(control: Control, profile: string, config?: AuditConfig): Severity {
  let severity = control.profiles?.[profile]?.severity ?? control.severity;
  for (const o of overridesFor(config, control.id, profile)) severity = o.severity ?? severity;
  return severity;
}

export function isControlEnabled(control: Control, profile: string, config?: AuditConfig): boolean {
  return overridesFor(config, control.id, profile).every((o) => o.enabled !== false);
}
