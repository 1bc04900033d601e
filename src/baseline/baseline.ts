/**
 * Baselines: the identities of the failing findings of an earlier run (src/findings/identity.ts: no
 * line numbers, so edits that move a resource keep it matched). With a baseline, only new findings
 * fail the gate.
 */
import { readRegularFile } from "../tools/read-regular-file.js";
import { findingKey } from "../findings/identity.js";
import type { Finding } from "../types.js";

/** Version 2 added the finding's data to its identity: two containers failing the same check are two entries. */
export const BASELINE_VERSION = 2;

export interface BaselineEntry {
  controlId: string;
  unit: string;
  kind: string;
  namespace: string;
  name: string;
  messageId: string;
  /** The finding's data (the placeholders of its message), part of its identity. */
  data: Finding["data"];
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  tool: "erlmcp-audit";
  findings: BaselineEntry[];
}

export class BaselineError extends Error {
  readonly code = "BASELINE";
}

const entryOf = (f: Finding): BaselineEntry => ({
  controlId: f.controlId,
  unit: f.unit,
  kind: f.resource.kind,
  namespace: f.resource.namespace,
  name: f.resource.name,
  messageId: f.messageId,
  data: f.data,
});

/** The identity of a baseline entry: the same key as the finding it was made from. */
export const baselineKey = (e: BaselineEntry): string =>
  findingKey({ controlId: e.controlId, unit: e.unit, messageId: e.messageId, data: e.data, resource: e });

/** The baseline of a run: every failing finding's identity, deduplicated and sorted. */
export function createBaseline(findings: readonly Finding[]): Baseline {
  const entries = new Map<string, BaselineEntry>();
  for (const f of findings) {
    if (f.status !== "fail") continue;
    const entry = entryOf(f);
    entries.set(baselineKey(entry), entry);
  }
  return {
    version: BASELINE_VERSION,
    tool: "erlmcp-audit",
    findings: [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e),
  };
}

export function serializeBaseline(baseline: Baseline): string {
  return JSON.stringify(baseline, null, 2) + "\n";
}

const ENTRY_FIELDS = ["controlId", "unit", "kind", "namespace", "name", "messageId"] as const;
const isScalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

export function readBaseline(file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readRegularFile(file).toString("utf8"));
  } catch (error) {
    throw new BaselineError(`${file}: cannot read the baseline (${(error as Error).message}); create it with --write-baseline ${file}`);
  }
  const b = data as Partial<Baseline> | null;
  if (b?.tool === "erlmcp-audit" && (b.version as number) === 1)
    throw new BaselineError(
      `${file}: a version 1 baseline does not record each finding's data, so it cannot tell two findings of one resource apart; recreate it with --write-baseline ${file}`,
    );
  if (!b || b.tool !== "erlmcp-audit" || b.version !== BASELINE_VERSION || !Array.isArray(b.findings))
    throw new BaselineError(
      `${file}: not an erlmcp-audit baseline of version ${BASELINE_VERSION}; recreate it with --write-baseline ${file}`,
    );
  b.findings.forEach((e, i) => {
    const entry = e as unknown as Record<string, unknown> | null;
    const bad = ENTRY_FIELDS.find((k) => typeof entry?.[k] !== "string");
    if (bad) throw new BaselineError(`${file}: findings[${i}].${bad} must be a string; recreate it with --write-baseline ${file}`);
    const data = entry?.data;
    if (!data || typeof data !== "object" || Array.isArray(data) || !Object.values(data).every(isScalar))
      throw new BaselineError(
        `${file}: findings[${i}].data must be an object of strings, numbers and booleans; recreate it with --write-baseline ${file}`,
      );
  });
  return b as Baseline;
}

/**
 * Marks each failing finding `new` or `existing`; entries of the baseline that no finding matches
 * any more are returned as fixed. Waived and error findings are left as they are.
 */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline): { findings: Finding[]; fixed: BaselineEntry[] } {
  const known = new Set(baseline.findings.map(baselineKey));
  const found = new Set<string>();
  const out = findings.map((f) => {
    if (f.status !== "fail") return f;
    const key = baselineKey(entryOf(f));
    found.add(key);
    return { ...f, baseline: known.has(key) ? ("existing" as const) : ("new" as const) };
  });
  // A baseline entry whose finding is now waived is neither fixed nor failing.
  const waived = new Set(findings.filter((f) => f.status === "waived").map((f) => baselineKey(entryOf(f))));
  const fixed = baseline.findings.filter((e) => !found.has(baselineKey(e)) && !waived.has(baselineKey(e)));
  return { findings: out, fixed };
}
