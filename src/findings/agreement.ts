/** Engine agreement: the (resource, message ID) tuples that one engine reported and another engine of the same control did not. */
import type { EngineName, ResourceRef } from "../types.js";
import { resourceKey } from "./identity.js";

/** Tuples one engine reported and another engine implementing the same control did not. */
export interface Disagreement {
  controlId: string;
  unit: string;
  resource: ResourceRef;
  messageId: string;
  reportedBy: EngineName[];
  missedBy: EngineName[];
}

/** What each engine reported for one control in one unit: resource + message ID tuples. */
export type EngineTuples = Map<EngineName, Map<string, { resource: ResourceRef; messageId: string }>>;

export function tupleKey(resource: ResourceRef, messageId: string): string {
  return `${resourceKey(resource)}\u0000${messageId}`;
}

/**
 * The disagreements among the engines that gave a verdict (none with fewer than two). An engine never
 * misses a tuple about a resource it did not judge (`notJudged`: resource keys per engine).
 */
export function compareEngines(
  controlId: string,
  unit: string,
  tuples: EngineTuples,
  notJudged: ReadonlyMap<EngineName, ReadonlySet<string>> = new Map(),
): Disagreement[] {
  if (tuples.size < 2) return [];
  const all = new Map<string, { resource: ResourceRef; messageId: string }>();
  for (const reported of tuples.values()) for (const [key, tuple] of reported) all.set(key, tuple);
  const out: Disagreement[] = [];
  for (const key of [...all.keys()].sort()) {
    const { resource, messageId } = all.get(key)!;
    const judging = [...tuples].filter(([e]) => !notJudged.get(e)?.has(resourceKey(resource)));
    const reportedBy = judging.filter(([, s]) => s.has(key)).map(([e]) => e);
    if (reportedBy.length === judging.length) continue;
    const missedBy = judging.map(([e]) => e).filter((e) => !reportedBy.includes(e));
    out.push({ controlId, unit, resource: { ...resource, apiVersion: "" }, messageId, reportedBy, missedBy });
  }
  return out;
}

export function compareDisagreements(a: Disagreement, b: Disagreement): number {
  const key = (d: Disagreement) => `${d.controlId}${d.unit}${resourceKey(d.resource)}`;
  return key(a).localeCompare(key(b));
}
