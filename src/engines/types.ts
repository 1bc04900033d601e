import type { Control } from "../catalog/types.js";
import type { AuditUnit, EngineName, ResourceRef, Violation } from "../types.js";
import type { Params } from "../validators/types.js";

/** What one engine concluded about one control in one audit unit. */
export interface ControlVerdict {
  controlId: string;
  violations: Violation[];
  /** Evaluation failures (a bug or an unsupported input): reported as findings with status `error`. */
  errors: Array<{ message: string; resource?: ResourceRef }>;
}

export interface EngineContext {
  /** Parameters of a control for the unit's profile (defaults, profile and config applied). */
  paramsFor(control: Control, unit: AuditUnit): Params;
}

export interface Engine {
  name: EngineName;
  /** Whether this engine implements the control. */
  implements(control: Control): boolean;
  /** Loads what the engine needs (compiled policies, binaries); throws a clear error if it cannot. */
  prepare(controls: readonly Control[]): Promise<void>;
  evaluate(unit: AuditUnit, controls: readonly Control[], context: EngineContext): Promise<ControlVerdict[]>;
}

/** Which kinds a control inspects; `kinds` of control.yaml is the admission match list. */
export function controlMatchesKind(control: Control, kind: string): boolean {
  return control.kinds.includes(kind);
}
