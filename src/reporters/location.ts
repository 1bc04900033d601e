import type { Finding, InputError } from "../types.js";

export function findingLocation(finding: Pick<Finding, "source">): string {
  return `${finding.source.file}:${finding.source.line}`;
}

export function errorLocation(error: InputError): string {
  return [error.file, error.line, error.line !== undefined ? error.column : undefined].filter((p) => p !== undefined).join(":");
}

export function resourceName(r: { kind: string; namespace: string; name: string }): string {
  return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}
