/**
 * Where every format points a finding: at its `location` (the line a person edits) when the
 * locator found one, else at `source` (the object's first line). One place, so all formats agree.
 */
import type { FieldLocation, Finding, InputError, LocationVia } from "../types.js";

/** The file, 1-based line and (when known) 1-based column a finding points at. */
export interface Position {
  file: string;
  line: number;
  column?: number;
  /** How the position was found; `source` when the finding had no `location`. */
  via: LocationVia | "source";
}

/** The finding's position: `location` when present, else the object's first line in `source`. */
export function findingPosition(finding: Pick<Finding, "source" | "location">): Position {
  const at = finding.location;
  if (at) return { file: at.file, line: Math.max(1, at.line), ...(at.column ? { column: at.column } : {}), via: at.via };
  return { file: finding.source.file, line: Math.max(1, finding.source.line), via: "source" };
}

/** `file:line:col` (or `file:line` when the column is unknown): where the finding points. */
export function findingLocation(finding: Pick<Finding, "source" | "location">): string {
  const p = findingPosition(finding);
  return `${p.file}:${p.line}${p.column ? `:${p.column}` : ""}`;
}

/** `values-production.yaml: cluster.replicaCount` (with `:line` when known): the Helm value rendered there. */
export function valuesLocation(values: NonNullable<FieldLocation["values"]>): string {
  return `${values.file}${values.line ? `:${values.line}` : ""}: ${values.key}`;
}

/** The distinct Helm values (file and key) behind findings repeated in several renders, in order. */
export function distinctValues(findings: ReadonlyArray<Pick<Finding, "location">>): Array<NonNullable<FieldLocation["values"]>> {
  const seen = new Map<string, NonNullable<FieldLocation["values"]>>();
  for (const f of findings) {
    const v = f.location?.values;
    if (v && !seen.has(valuesLocation(v))) seen.set(valuesLocation(v), v);
  }
  return [...seen.values()];
}

/**
 * What to change, besides the line: the field's JSON path and, for Helm, the values files and keys
 * (of every render when several repeat the finding), e.g. `spec.replicas (values-production.yaml:12: cluster.replicaCount)`;
 * empty when neither is known.
 */
export function fieldNote(
  finding: Pick<Finding, "path" | "location">,
  repeats: ReadonlyArray<Pick<Finding, "location">> = [finding],
): string {
  const values = distinctValues(repeats).map(valuesLocation);
  return [finding.path, values.length ? `(${values.join("; ")})` : ""].filter(Boolean).join(" ");
}

/** `<unit>/<Kind>/<namespace>/<name>/<path>`: the finding's logical location (SARIF); the path part only when known. */
export function logicalName(finding: Pick<Finding, "unit" | "resource" | "path">): string {
  const r = finding.resource;
  return [finding.unit, r.kind, r.namespace, r.name, ...(finding.path ? [finding.path] : [])].join("/");
}

/** `file:line:column` of an input error, as far as it is known. */
export function errorLocation(error: InputError): string {
  return [error.file, error.line, error.line !== undefined ? error.column : undefined].filter((p) => p !== undefined).join(":");
}

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped resource. */
export function resourceName(r: { kind: string; namespace: string; name: string }): string {
  return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}
