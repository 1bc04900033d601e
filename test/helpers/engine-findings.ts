/** Controls run by the Rego (compiled bundle) and TypeScript engines on one YAML stream, as the audit runs them (verdictOf). */
import { join } from "node:path";
import { beforeAll, expect } from "vitest";
import { loadControl } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { RegoEngine } from "../../src/engines/rego.js";
import { TypeScriptEngine } from "../../src/engines/typescript.js";
import { verdictOf } from "../../src/evaluation/unit.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { POLICIES_DIR } from "../../src/paths.js";
import type { AuditUnit, Params, Violation } from "../../src/types.js";

/** Each engine's findings, as the label writes them, sorted. */
export type EngineFindings = Record<"rego" | "typescript", string[]>;

/**
 * A function giving each engine's findings of the controls `controlIds` on a YAML stream (one unit of files), each
 * violation as `label` writes it, sorted per engine, with the production profile's parameters (`params` laid over
 * them). It fails the test on a parse error of the stream or an evaluation error of an engine. Call it at the top of
 * a test file: it prepares the Rego engine before the file's tests.
 */
export function engineFindings(
  controlIds: readonly string[],
  label: (v: Violation, controlId: string) => string,
): (text: string, params?: Params) => Promise<EngineFindings> {
  const controls = controlIds.map((id) => loadControl(join(POLICIES_DIR, id)));
  const engines = { rego: new RegoEngine(), typescript: new TypeScriptEngine() };
  beforeAll(async () => {
    await engines.rego.prepare([]);
  });
  return async (text, params = {}) => {
    const parsed = parseManifestStream(text, { file: "hostile.yaml" });
    expect(parsed.errors).toEqual([]);
    const unit: AuditUnit = { id: "hostile", kind: "files", path: "hostile.yaml", resources: parsed.resources, profile: "production" };
    const out: EngineFindings = { rego: [], typescript: [] };
    for (const name of ["rego", "typescript"] as const) {
      for (const control of controls) {
        const verdict = await verdictOf(engines[name], unit, control, { ...resolveParams(control, "production"), ...params });
        expect(verdict?.errors ?? [], `${name} ${control.id} errors`).toEqual([]);
        out[name].push(...(verdict?.violations ?? []).map((v) => label(v, control.id)));
      }
      out[name].sort();
    }
    return out;
  };
}
