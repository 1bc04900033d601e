/**
 * GitLab Code Quality report (a subset of the Code Climate issue format): one issue per failing or
 * erroring finding (at the line to change; repeated in several units, once with the units in the description), per input error and per control disabled by config, so merge requests show them inline.
 */
import { createHash } from "node:crypto";
import type { Severity } from "../types.js";
import { gateState } from "../gate/threshold.js";
import { disabledByConfig } from "./config.js";
import { groupFingerprint, groupRepeated, unitsLabel } from "./group.js";
import { fieldNote, findingPosition, resourceName } from "./location.js";
import { inertJson } from "./sanitize.js";
import type { Reporter } from "./types.js";

const SEVERITY: Record<Severity, string> = { critical: "blocker", high: "critical", medium: "major", low: "minor" };

interface Issue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number } };
}

/** Input errors and disabled controls have no finding identity: their own digest of what they are and where. */
const inputErrorFingerprint = (...parts: Array<string | number>) => createHash("sha256").update(parts.join("\u0000")).digest("hex");

export const codequality: Reporter = (report) => {
  const issues: Issue[] = report.inputErrors.map((e) => ({
    description: `${e.message}${e.hint ? ` (${e.hint})` : ""}`,
    check_name: `input/${e.code}`,
    fingerprint: inputErrorFingerprint("input", e.code, e.file, e.line ?? 0, e.message),
    severity: "blocker",
    location: { path: e.file, lines: { begin: e.line ?? 1 } },
  }));
  for (const g of groupRepeated(report.findings)) {
    const f = g.first;
    const state = gateState(f, report.failOn);
    if (state === "waived") continue;
    const at = findingPosition(f);
    const field = fieldNote(f, g.members);
    issues.push({
      description: `${f.controlId}: ${resourceName(f.resource)}: ${f.message}${field ? ` Field: ${field}.` : ""} [${unitsLabel(g.units)}]${state === "existing" ? " (in baseline)" : ""}`,
      check_name: f.controlId,
      fingerprint: groupFingerprint(g),
      severity: state === "existing" || state === "belowThreshold" ? "info" : SEVERITY[f.severity],
      location: { path: at.file, lines: { begin: at.line } },
    });
  }
  // A control switched off shows where it was switched off, so a merge request that disables one says so.
  for (const d of report.disabledControls)
    issues.push({
      description: `${d.controlId} ${disabledByConfig(d)}${d.profile ? ` for profile ${d.profile}` : ""}: did not run in ${d.units.length} input sets`,
      check_name: "config/disabled-control",
      fingerprint: inputErrorFingerprint("disabled", d.controlId, d.profile ?? "", d.file),
      severity: "info",
      location: { path: d.file, lines: { begin: d.line } },
    });
  return inertJson(JSON.stringify(issues, null, 2)) + "\n";
};
