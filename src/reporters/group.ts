/**
 * Grouping helpers shared by the reporters. A template rendered with several values files, or a base
 * built into several overlays, repeats one finding per unit at the same line: the human-readable
 * formats report it once per location with the list of its units (JSON keeps every finding).
 */
import { createHash } from "node:crypto";
import type { Finding } from "../types.js";
import { findingFingerprint, resourceKey, stableJson } from "../findings/identity.js";
import { findingLocation } from "./location.js";

/** Findings (or anything with a control ID) grouped by control ID, in the report's (sorted) order. */
export function byControl<T extends { controlId: string }>(findings: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const f of findings) groups.set(f.controlId, [...(groups.get(f.controlId) ?? []), f]);
  return groups;
}

/** Items that are the same but for their unit, collapsed: the first stands for all of them. */
export interface Repeated<T> {
  first: T;
  members: T[];
  /** The members' units, each once, in the order they came. */
  units: string[];
}

/** Collapses items with equal `keyOf` into one entry (in the order of their first item), keeping every member and its unit. */
export function collapseRepeats<T>(items: readonly T[], keyOf: (item: T) => string, unitOf: (item: T) => string): Array<Repeated<T>> {
  const groups = new Map<string, Repeated<T>>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (!group) groups.set(key, { first: item, members: [item], units: [unitOf(item)] });
    else {
      group.members.push(item);
      if (!group.units.includes(unitOf(item))) group.units.push(unitOf(item));
    }
  }
  return [...groups.values()];
}

/**
 * What makes two findings one repeated finding: the same control, message ID and data, resource,
 * location (file:line:col) and field, and the same verdict (severity, status, baseline state, waiver).
 * Only the unit may differ.
 */
export function repeatKey(f: Finding): string {
  return [
    f.controlId,
    f.messageId,
    stableJson(f.data),
    resourceKey(f.resource),
    findingLocation(f),
    f.path ?? "",
    f.severity,
    f.status,
    f.baseline ?? "",
    f.waiver?.id ?? "",
  ].join("\u0000");
}

/** A finding repeated in several units at one location, reported once. */
export type FindingGroup = Repeated<Finding>;

/** The findings collapsed into one group per repeated finding (see {@link repeatKey}), in report order. */
export function groupRepeated(findings: readonly Finding[]): FindingGroup[] {
  return collapseRepeats(findings, repeatKey, (f) => f.unit);
}

/**
 * The fingerprint of a group: its finding's fingerprint when it has one member (as before grouping),
 * else the SHA-256 of its members' sorted fingerprints. Stable while the same findings repeat.
 */
export function groupFingerprint(group: FindingGroup): string {
  if (group.members.length === 1) return findingFingerprint(group.first);
  const prints = group.members.map((f) => findingFingerprint(f)).sort();
  return createHash("sha256").update(prints.join("\n")).digest("hex");
}

/** `unit` or `3 units: a, b, c`: the units a group was found in. */
export function unitsLabel(units: readonly string[]): string {
  return units.length === 1 ? units[0]! : `${units.length} units: ${units.join(", ")}`;
}
