/**
 * Why a waiver matched nothing. "Remove it" is only safe when its control ran on every input and every
 * input loaded: otherwise the finding it waives may still exist where the run did not look.
 */
import type { K8sObject, ResourceRef } from "../types.js";
import type { UnusedReason, Waiver, WaiverStatus } from "./types.js";

/** What the run covered, as far as a waiver that matched nothing is concerned. */
export interface CoverageOfRun {
  /** Controls selected for the run (after --controls and --skip-controls). */
  selected: ReadonlySet<string>;
  units: ReadonlyArray<{ id: string; profile: string; resources: ReadonlyArray<{ ref: ResourceRef; object: K8sObject }> }>;
  /** Each control run in each unit. */
  runs: ReadonlyArray<{ controlId: string; unit: string }>;
  /** The config's `enabled: false` overrides (for every profile when `profile` is absent). */
  disabled: ReadonlyArray<{ controlId: string; profile?: string; file: string; line: number }>;
  /** Evaluation errors (findings with status `error`), by control and unit. */
  evaluationErrors: ReadonlyArray<{ controlId: string; unit: string }>;
  /** Input errors of the run: files that could not be read, parsed or rendered. */
  inputErrors: number;
}

const CANNOT_TELL = "cannot tell whether it still applies; keep it";

const list = (ids: readonly string[]) => (ids.length <= 3 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more`);

/** Whether an audited object is one the waiver's match names (kind, namespace, name, labels, each when given). */
function coversObject(match: Waiver["match"], ref: ResourceRef, object: K8sObject): boolean {
  if (match.kind !== undefined && match.kind !== ref.kind) return false;
  if (match.namespace !== undefined && match.namespace !== ref.namespace) return false;
  if (match.name !== undefined && match.name !== ref.name) return false;
  const labels = object.metadata?.labels ?? {};
  return Object.entries(match.labels ?? {}).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);
}

function describeMatch(match: Waiver["match"]): string {
  const labels = Object.entries(match.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const name = [match.namespace, match.name].filter((p) => p !== undefined && p !== "").join("/");
  return [match.kind, name, labels.length ? `{${labels.join(",")}}` : ""].filter(Boolean).join(" ");
}

/** The first reason, in this order, that a waiver which matched nothing may still be needed; `fixed` when none. */
export function unusedReason(waiver: Waiver, run: CoverageOfRun): { reason: UnusedReason; advice: string } {
  const control = waiver.control;
  if (!run.selected.has(control))
    return { reason: "notSelected", advice: `its control was not run (not selected by --controls/--skip-controls): ${CANNOT_TELL}` };
  const ran = new Set(run.runs.filter((r) => r.controlId === control).map((r) => r.unit));
  const missed = run.units.filter((u) => !ran.has(u.id));
  const disabled = missed.flatMap((u) => run.disabled.filter((d) => d.controlId === control && (d.profile ?? u.profile) === u.profile));
  if (disabled.length) {
    const where = [...new Set(disabled.map((d) => `${d.file}:${d.line}`))].join(", ");
    return {
      reason: "disabled",
      advice: `its control is disabled by config (${where}) in ${missed.length} of ${run.units.length} units: ${CANNOT_TELL}`,
    };
  }
  if (missed.length) return { reason: "notRun", advice: `its control did not run in ${list(missed.map((u) => u.id))}: ${CANNOT_TELL}` };
  const failed = [...new Set(run.evaluationErrors.filter((e) => e.controlId === control).map((e) => e.unit))];
  if (failed.length) return { reason: "evaluationError", advice: `its control failed to evaluate in ${list(failed)}: ${CANNOT_TELL}` };
  if (run.inputErrors)
    return {
      reason: "inputError",
      advice: `${run.inputErrors} input error${run.inputErrors === 1 ? "" : "s"} (a file or render that did not load): what it covers may be there; ${CANNOT_TELL}`,
    };
  if (!run.units.some((u) => u.resources.some((r) => coversObject(waiver.match, r.ref, r.object))))
    return {
      reason: "noObject",
      advice: `no audited object is ${describeMatch(waiver.match) || "what it names"}: audit the input that holds it, or remove it if the object is gone`,
    };
  return { reason: "fixed", advice: "remove it" };
}

/** The register with, for each waiver that matched nothing, why (and whether it can be removed). */
export function explainUnusedWaivers(register: readonly WaiverStatus[], run: CoverageOfRun): WaiverStatus[] {
  return register.map((w) => (w.matched === 0 ? { ...w, unused: unusedReason(w, run) } : w));
}
