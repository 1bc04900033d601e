/** The one interface of every policy engine, and what an engine concludes. */
import type { Control } from "../catalog/types.js";
import type { AuditUnit, EngineName, K8sObject, ResourceRef, Violation } from "../types.js";
import type { Params } from "../validators/types.js";

/** What one engine concluded about one control in one audit unit (or on one object). */
export interface ControlVerdict {
  controlId: string;
  violations: Violation[];
  /** Evaluation failures (a bug or an unsupported input): reported as findings with status `error`. */
  errors: Array<{ message: string; resource?: ResourceRef }>;
  /**
   * Objects of the control's kinds this engine never judged (outside what it sees: a Kyverno policy's
   * `matchConstraints` name only the kinds admission sends it): not counted as missing what other
   * engines report on them.
   */
  notJudged?: ResourceRef[];
}

export interface EngineContext {
  /** Parameters of a control for the unit's profile (defaults, profile and config applied). */
  paramsFor(control: Control, unit: AuditUnit): Params;
}

/**
 * How much an engine's violations say: `violations` carry their data (placeholders of the message);
 * `messageIds` carry only the message ID (Kyverno's policy reports), so they add a finding only where
 * no other engine reported the same resource and message ID.
 */
export type ViolationDetail = "violations" | "messageIds";

/** What an engine tells about itself for the report and the evidence. */
export interface EngineDescription {
  name: EngineName;
  /** Version of the engine's runtime (e.g. the OPA version the bundle was built with); empty when it has none of its own. */
  version: string;
  /** SHA-256 of the compiled policies the engine runs, when it runs a bundle. */
  policyBundleSha256?: string;
}

/** One object-scope control to run on one object: the control with its resolved parameters. */
export interface ObjectCheck {
  control: Control;
  params: Params;
}

export interface Engine {
  readonly name: EngineName;
  readonly detail: ViolationDetail;
  /** Whether this engine implements the control. */
  implements(control: Control): boolean;
  /** Loads what the engine needs (compiled policies, binaries); throws a clear error if it cannot. */
  prepare(controls: readonly Control[]): Promise<void>;
  /** Valid after prepare(). */
  describe(): EngineDescription;
  /** Evaluates the controls on one audit unit (for in-process engines: set-scope controls; see ObjectEngine). */
  evaluate(unit: AuditUnit, controls: readonly Control[], context: EngineContext): Promise<ControlVerdict[]>;
}

/**
 * An engine that runs in this process and judges one object at a time: its object-scope controls
 * are evaluated through evaluateObject, by the CLI and the admission webhook alike
 * (src/evaluation/object.ts).
 */
export interface ObjectEngine extends Engine {
  evaluateObject(object: K8sObject, ref: ResourceRef, checks: readonly ObjectCheck[]): ControlVerdict[];
}

export function isObjectEngine(engine: Engine): engine is ObjectEngine {
  return typeof (engine as Partial<ObjectEngine>).evaluateObject === "function";
}

/** The message of a thrown value. */
export function errorMessage(error: unknown): string {
  return String(error instanceof Error ? error.message : error);
}
