/** Runs the TypeScript validators of src/validators/ in this process. */
import type { Control } from "../catalog/types.js";
import type { AuditUnit, K8sObject, ResourceRef } from "../types.js";
import { VALIDATORS } from "../validators/index.js";
import { setInputs } from "./partition.js";
import {
  errorMessage,
  type ControlVerdict,
  type EngineContext,
  type EngineDescription,
  type ObjectCheck,
  type ObjectEngine,
} from "./types.js";

export class TypeScriptEngine implements ObjectEngine {
  readonly name = "typescript" as const;
  readonly detail = "violations" as const;

  implements(control: Control): boolean {
    return control.engines.includes("typescript");
  }

  async prepare(controls: readonly Control[]): Promise<void> {
    const missing = controls.filter((c) => this.implements(c) && VALIDATORS[c.id]?.scope !== c.scope).map((c) => c.id);
    if (missing.length)
      throw new Error(`No TypeScript validator of the right scope registered for ${missing.join(", ")} (src/validators/index.ts).`);
  }

  describe(): EngineDescription {
    return { name: this.name, version: "" };
  }

  async evaluate(unit: AuditUnit, controls: readonly Control[], context: EngineContext): Promise<ControlVerdict[]> {
    const verdicts: ControlVerdict[] = [];
    for (const control of controls) {
      const validator = VALIDATORS[control.id];
      if (!this.implements(control) || validator?.scope !== "set") continue;
      const params = context.paramsFor(control, unit);
      const verdict: ControlVerdict = { controlId: control.id, violations: [], errors: [] };
      for (const input of setInputs(control, unit.resources)) {
        try {
          verdict.violations.push(...validator.validate(input, params));
        } catch (error) {
          verdict.errors.push({ message: errorMessage(error) });
        }
      }
      verdicts.push(verdict);
    }
    return verdicts;
  }

  evaluateObject(object: K8sObject, ref: ResourceRef, checks: readonly ObjectCheck[]): ControlVerdict[] {
    const verdicts: ControlVerdict[] = [];
    for (const { control, params } of checks) {
      const validator = VALIDATORS[control.id];
      if (!this.implements(control) || validator?.scope !== "object") continue;
      const verdict: ControlVerdict = { controlId: control.id, violations: [], errors: [] };
      try {
        verdict.violations.push(...validator.validate(object, params));
      } catch (error) {
        verdict.errors.push({ message: errorMessage(error), resource: ref });
      }
      verdicts.push(verdict);
    }
    return verdicts;
  }
}
