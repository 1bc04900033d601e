/**
 * Controls the config switches off (`enabled: false`): each needs a `reason`, and each is kept with the
 * file and line it was written at, so every report can say "disabled by config (file:line, reason)".
 */
import type { Issue, KeyPath, YamlSource } from "./validate-yaml.js";
import { isRecord } from "../records.js";

/** One `enabled: false` of the config: which control, for which profile, where and why. */
export interface DisabledOverride {
  controlId: string;
  /** The profile of a `profiles.<p>.controls` override; absent for `controls` (every profile). */
  profile?: string;
  /** The config file, as shown in messages. */
  file: string;
  /** 1-based line of the `enabled: false` key. */
  line: number;
  reason: string;
}

type Data = Record<string, unknown>;

interface Switch {
  controlId: string;
  profile?: string;
  path: KeyPath;
  override: Data;
}

/** Every override with `enabled: false`, in `controls` then `profiles.<p>.controls`, in file order. */
function switchedOff(config: unknown): Switch[] {
  if (!isRecord(config)) return [];
  const maps: Array<{ path: KeyPath; profile?: string; overrides: unknown }> = [{ path: ["controls"], overrides: config.controls }];
  if (isRecord(config.profiles))
    for (const [profile, settings] of Object.entries(config.profiles))
      if (isRecord(settings)) maps.push({ path: ["profiles", profile, "controls"], profile, overrides: settings.controls });
  return maps.flatMap(({ path, profile, overrides }) =>
    isRecord(overrides)
      ? Object.entries(overrides).flatMap(([controlId, override]) =>
          isRecord(override) && override.enabled === false
            ? [{ controlId, ...(profile === undefined ? {} : { profile }), path: [...path, controlId], override }]
            : [],
        )
      : [],
  );
}

const hasReason = (override: Data) => typeof override.reason === "string" && override.reason.trim() !== "";

/** An `enabled: false` without a reason (or with a blank one) is a config error. */
export function disabledReasonIssues(config: unknown): Issue[] {
  return switchedOff(config)
    .filter((s) => !hasReason(s.override) && (s.override.reason === undefined || typeof s.override.reason === "string"))
    .map((s) => ({
      path: [...s.path, s.override.reason === undefined ? "enabled" : "reason"],
      problem: "`enabled: false` needs a `reason`: why the control is off (every report shows it)",
    }));
}

/** The `enabled: false` overrides of a valid config, each at its line. */
export function disabledOverrides(source: YamlSource): DisabledOverride[] {
  return switchedOff(source.data).map(({ controlId, profile, path, override }) => ({
    controlId,
    ...(profile === undefined ? {} : { profile }),
    file: source.file,
    line: source.locate({ path: [...path, "enabled"], problem: "" }).line,
    reason: String(override.reason).trim(),
  }));
}
