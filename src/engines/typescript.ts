/** Runs the TypeScript validators of src/validators/. */
import type { Control } from "../catalog/types.js";
import type { AuditUnit } from "../types.js";
import { VALIDATORS } from "../validators/index.js";
import { setInputs } from "./partition.js";
import { controlMatchesKind, type ControlVerdict, type Engine, type EngineContext } from "./types.js";

export class TypeScriptEngine implements Engine {
  readonly name = "typescript" as const;

  implements(control: Control): boolean {
    return control.engines.includes("typescript");
  }

  async prepare(controls: readonly Control[]): Promise<void> {
    const missing = controls.filter((c) => this.implements(c) && !VALIDATORS[c.id]).map((c) => c.id);
    if (missing.length) throw new Error(`No TypeScript validator registered for ${missing.join(", ")} (src/validators/index.ts).`);
  }

  async evaluate(unit: AuditUnit, controls: readonly Control[], context: EngineContext): Promise<ControlVerdict[]> {
    const verdicts: ControlVerdict[] = [];
    for (const control of controls) {
      const validator = VALIDATORS[control.id];
      if (!this.implements(control) || !validator) continue;
      const params = context.paramsFor(control, unit);
      const verdict: ControlVerdict = { controlId: control.id, violations: [], errors: [] };
      if (validator.scope === "set") {
        for (const input of setInputs(control, unit.resources)) {
          try {
            verdict.violations.push(...validator.validate(input, params));
          } catch (error) {
            verdict.errors.push({ message: String(error instanceof Error ? error.message : error) });
          }
        }
      } else {
        for (const resource of unit.resources) {
          if (!controlMatchesKind(control, resource.ref.kind)) continue;
          try {
            verdict.violations.push(...validator.validate(resource.object, params));
          } catch (error) {
            verdict.errors.push({ message: String(error instanceof Error ? error.message : error), resource: resource.ref });
          }
        }
      }
      verdicts.push(verdict);
    }
    return verdicts;
  }
}
