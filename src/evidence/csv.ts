/** controls.csv and findings.csv (RFC 4180, formula-safe) rendered from evidence.json; controls.csv names every control the config disabled, where and why. */
import { disabledByConfig } from "../reporters/config.js";
import type { Evidence } from "./model.js";

/** Quotes every cell and defuses spreadsheet formulas (=, +, -, @, tab, CR at the start). */
export function csvCell(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

const csv = (rows: Array<Array<string | number>>) => rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";

export function renderControlsCsv(evidence: Evidence): string {
  const rows: Array<Array<string | number>> = [
    [
      "framework",
      "criterion",
      "criterion_title",
      "criterion_status",
      "control_id",
      "control_title",
      "control_status",
      "basis",
      "rationale",
      "external_evidence",
      "disabled_by_config",
    ],
  ];
  const disabled = new Map(
    evidence.controls.map((c) => [
      c.id,
      (c.disabled ?? []).map((d) => `${disabledByConfig(d)}${d.profile ? ` for profile ${d.profile}` : ""}`).join("; "),
    ]),
  );
  for (const fw of evidence.frameworks) {
    for (const c of fw.criteria) {
      const mapped = c.controls.length ? c.controls : [undefined];
      for (const m of mapped)
        rows.push([
          fw.id,
          c.id,
          c.title,
          c.status,
          m?.id ?? "",
          m?.title ?? "",
          m?.status ?? "",
          m?.basis.join("/") ?? "",
          m?.rationale ?? "",
          c.external ?? "",
          m ? (disabled.get(m.id) ?? "") : "",
        ]);
    }
  }
  return csv(rows);
}

export function renderFindingsCsv(evidence: Evidence): string {
  const rows: Array<Array<string | number>> = [
    ["control_id", "status", "severity", "unit", "kind", "namespace", "name", "location", "message", "waiver", "remediation"],
  ];
  for (const f of evidence.findings)
    rows.push([
      f.controlId,
      f.status,
      f.severity,
      f.unit,
      f.resource.kind,
      f.resource.namespace,
      f.resource.name,
      f.location,
      f.message,
      f.waiver ?? "",
      f.remediation,
    ]);
  return csv(rows);
}
