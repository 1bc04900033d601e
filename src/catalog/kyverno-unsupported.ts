/**
 * Clauses a control's Kyverno ValidatingPolicy cannot evaluate (`kyverno.unsupported` of control.yaml).
 * Objects a clause applies to get no kyverno verdict for its control (so the audit reports the other
 * engines' verdict and a disagreement, never a wrong kyverno finding); fixtures expecting the clause
 * are skipped, with its reason, by the generated `kyverno test` suites and the parity test.
 */
import type { K8sObject } from "../types.js";
import { conditionHolds } from "./condition.js";
import type { ControlSpec, KyvernoUnsupportedClause } from "./types.js";

/** A failure clause a ValidatingPolicy cannot evaluate, and the objects it is about. */
export interface UnsupportedClause extends KyvernoUnsupportedClause {
  controlId: string;
  /** Whether the clause is about this object (its `when` holds). */
  appliesTo(object: K8sObject): boolean;
}

/** The Kyverno-unsupported clauses of one control. */
export function kyvernoUnsupportedClauses(control: Pick<ControlSpec, "id" | "kyverno">): UnsupportedClause[] {
  return (control.kyverno?.unsupported ?? []).map((clause) => ({
    ...clause,
    controlId: control.id,
    appliesTo: (object: K8sObject) => conditionHolds(clause.when, object),
  }));
}

/** Every Kyverno-unsupported clause of a catalog, in control order. */
export function allKyvernoUnsupportedClauses(controls: readonly Pick<ControlSpec, "id" | "kyverno">[]): UnsupportedClause[] {
  return controls.flatMap(kyvernoUnsupportedClauses);
}
