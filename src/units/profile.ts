/** Units with their profile: the config's `inputs` entries name the profile of charts, values files, overlays and directories. */
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { AuditConfig } from "../config/types.js";
import type { LoadedUnit } from "../loaders/load.js";
import type { AuditUnit, ResourceRef, SourceLocation } from "../types.js";

export interface ProfileRules {
  config: AuditConfig;
  /** Folder the config's paths are relative to. */
  configDir: string;
  cwd: string;
  /** Profile of units no `inputs` entry names. */
  fallback: string;
  /** Profile of every unit (the --profile option), overriding the config. */
  override?: string;
}

/** The profile of one unit: the first `inputs` entry whose path is the unit's path or values file, or a folder above them. */
export function profileOf(unit: Pick<LoadedUnit, "path" | "values">, rules: ProfileRules): string {
  if (rules.override) return rules.override;
  return rules.config.inputs?.find((entry) => namesUnit(unit, entry.paths, rules))?.profile ?? rules.fallback;
}

/** The config's `scopes` that name the unit (its path or values file, or a folder above them), sorted. */
export function scopesOf(unit: Pick<LoadedUnit, "path" | "values">, rules: ProfileRules): string[] {
  return Object.entries(rules.config.scopes ?? {})
    .filter(([, scope]) => namesUnit(unit, scope.paths, rules))
    .map(([name]) => name)
    .sort();
}

/** Whether one of `paths` (relative to the config file) is the unit's path or values file, or a folder above them. */
function namesUnit(unit: Pick<LoadedUnit, "path" | "values">, paths: readonly string[], rules: ProfileRules): boolean {
  const candidates = [unit.path, unit.values].filter((p): p is string => !!p).map((p) => resolve(rules.cwd, p));
  return paths.some((p) => {
    const target = resolve(rules.configDir, p);
    return candidates.some((c) => c === target || c.startsWith(target + sep));
  });
}

export function toAuditUnits(loaded: readonly LoadedUnit[], rules: ProfileRules): AuditUnit[] {
  return loaded.map((u) => {
    const scopes = scopesOf(u, rules);
    return {
      id: u.id,
      kind: u.kind,
      path: u.path,
      resources: u.resources,
      profile: profileOf(u, rules),
      ...(scopes.length ? { scopes } : {}),
    };
  });
}

/**
 * Where a finding about `ref` points: the resource's own source, else (a missing object, such as a
 * Namespace without a policy) the first resource of the same namespace, else the unit's path.
 */
export function sourceLocator(unit: AuditUnit): (ref: ResourceRef | undefined) => SourceLocation {
  const byRef = new Map(unit.resources.map((r) => [`${r.ref.kind}/${r.ref.namespace}/${r.ref.name}`, r.source]));
  const unitSource: SourceLocation = {
    file: isAbsolute(unit.path) ? relative(process.cwd(), unit.path) : unit.path,
    line: 1,
    documentIndex: 0,
  };
  return (ref) => {
    if (!ref) return { file: unit.path, line: 1, documentIndex: 0 };
    const own = byRef.get(`${ref.kind}/${ref.namespace}/${ref.name}`);
    if (own) return own;
    const sameNamespace = unit.resources.find(
      (r) => r.ref.namespace === ref.namespace || (ref.kind === "Namespace" && r.ref.namespace === ref.name),
    );
    return sameNamespace?.source ?? unitSource;
  };
}
